/* fuzz/fuzz_certstore_index.c - the certstore index (STATE/certstore/index):
 * whatever parses must re-encode to exactly the same bytes (the format
 * has one spelling per content) and stay within the record limits. */
#include <stdlib.h>
#include <string.h>

#include "core/pki/certstore.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static pb_cs_index ix;
	static char out[PB_CS_INDEX_MAX];
	size_t len;
	pb_err e;

	if (pb_cs_index_parse(data, size, &ix, &e) != 0)
		return 0;
	if (ix.n > PB_CS_MAX)
		abort();
	if (pb_cs_index_encode(&ix, out, sizeof out, &len, &e) != 0 || len != size ||
	    memcmp(out, data, size) != 0)
		abort();
	return 0;
}
