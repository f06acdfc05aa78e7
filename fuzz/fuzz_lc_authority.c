/* fuzz/fuzz_lc_authority.c - the lifecycle authority record
 * (STATE/lifecycle/authority): whatever parses must name a TPM or KMU
 * and re-encode to exactly the same bytes. */
#include <stdlib.h>
#include <string.h>

#include "core/lifecycle/authority.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pb_lc_authority a;
	char out[PB_LC_AUTHORITY_FILE_MAX];
	size_t len;
	pb_err e;

	if (pb_lc_authority_parse(data, size, &a, &e) != 0)
		return 0;
	if (a.kind != HAL_TPM && a.kind != HAL_KMU)
		abort();
	if (pb_lc_authority_encode(&a, out, sizeof out, &len, &e) != 0 || len != size ||
	    memcmp(out, data, size) != 0)
		abort();
	return 0;
}
