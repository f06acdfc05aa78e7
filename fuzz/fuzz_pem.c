/* fuzz/fuzz_pem.c - PEM decoding on arbitrary text; decoded blocks must
 * re-encode and decode to the same bytes. */
#include <stdlib.h>
#include <string.h>

#include "core/asn1/pem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[1 << 16], again[1 << 16];
	static char text[1 << 18];
	size_t pos = 0, tlen, p2;
	pem_block blk, b2;
	pb_err e;

	(void)pem_detect(data, size);
	while (pem_next((const char *)data, size, &pos, out, sizeof out, &blk, &e) == 0) {
		if (pem_encode(blk.label, blk.der, blk.len, text, sizeof text, &tlen, &e) != 0)
			continue;
		p2 = 0;
		if (pem_next(text, tlen, &p2, again, sizeof again, &b2, &e) != 0 ||
		    b2.len != blk.len || memcmp(again, blk.der, blk.len) != 0)
			abort();
	}
	return 0;
}
