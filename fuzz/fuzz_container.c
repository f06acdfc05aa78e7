/* fuzz/fuzz_container.c - a wrapped container key file (tokens/N.containers/
 * C.wrap): the format check, then RFC 5649 unwrapping and its integrity
 * check under a fixed key (the corpus holds files wrapped under it, made
 * by openssl, so the success path is reached too). The same bytes also go
 * to RFC 5649 unwrapping directly (first byte: the KEK length 16/24/32 or
 * a wrong one; the rest: the wrapped key of any length). */
#include <stdlib.h>
#include <string.h>

#include "core/crypto/keywrap.h"
#include "core/token/token.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t kek[32] = {
		0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
		0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f
	};
	uint8_t wrapped[PB_CONTAINER_WRAPPED_LEN], key[PB_CONTAINER_WRAPPED_LEN], again[PB_CONTAINER_WRAPPED_LEN];
	size_t n = 0, m = 0;
	pb_err e;

	if (size > 0) {
		static uint8_t raw[4096], back[4096];
		size_t klen = data[0] % 4 == 3 ? data[0] : 16 + 8 * (data[0] % 4);
		if (pb_kwp_unwrap(kek, klen, data + 1, size - 1, raw, sizeof raw, &n, &e) == 0 &&
		    (n > size || pb_kwp_wrap(kek, klen, raw, n, back, sizeof back, &m, &e) != 0 ||
		     m != size - 1 || memcmp(back, data + 1, m) != 0))
			abort();
		n = m = 0;
	}
	if (pb_container_parse(data, size, wrapped, &e) != 0)
		return 0;
	if (pb_kwp_unwrap(kek, sizeof kek, wrapped, sizeof wrapped, key, sizeof key, &n, &e) != 0)
		return 0;
	/* what unwraps must wrap back to the same bytes */
	if (n > sizeof key || pb_kwp_wrap(kek, sizeof kek, key, n, again, sizeof again, &m, &e) != 0 ||
	    m != sizeof wrapped || memcmp(again, wrapped, m) != 0)
		abort();
	return 0;
}
