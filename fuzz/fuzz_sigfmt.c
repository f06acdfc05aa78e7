/* fuzz/fuzz_sigfmt.c - pb_ecdsa_der_to_raw on arbitrary bytes (a PKCS#11
 * module's or a peer's signature): what it accepts re-encodes to exactly
 * the input (strict DER has one encoding), and what raw_to_der makes of
 * any even-length input parses back to the same numbers. */
#include <stdlib.h>
#include <string.h>

#include "core/crypto/sigfmt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t coords[] = {32, 48, 66};
	uint8_t raw[2 * PB_ECDSA_COORD_MAX], der[2 * PB_ECDSA_COORD_MAX + 16], back[sizeof raw];
	size_t rlen, dlen, blen;
	pb_err e;

	for (size_t i = 0; i < sizeof coords / sizeof coords[0]; i++) {
		if (pb_ecdsa_der_to_raw(data, size, coords[i], raw, sizeof raw, &rlen, &e) != 0)
			continue;
		if (rlen != 2 * coords[i] ||
		    pb_ecdsa_raw_to_der(raw, rlen, der, sizeof der, &dlen, &e) != 0 ||
		    dlen != size || memcmp(der, data, size) != 0)
			abort();
	}
	if (size > 0 && size % 2 == 0 && size <= sizeof raw &&
	    pb_ecdsa_raw_to_der(data, size, der, sizeof der, &dlen, &e) == 0) {
		if (pb_ecdsa_der_to_raw(der, dlen, size / 2, back, sizeof back, &blen, &e) != 0 ||
		    blen != size || memcmp(back, data, size) != 0)
			abort();
	}
	return 0;
}
