/* fuzz/fuzz_tpm_state.c - the simulated TPM's state file wrapper
 * (STATE/tpm/permall): header, length and checksum checks before libtpms
 * sees a byte. What passes must lie inside the input. */
#include <stdlib.h>

#include "sim/tpm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *blob;
	size_t blen;
	pb_err e;

	if (sim_tpm_state_unwrap("fuzz/permall", data, size, &blob, &blen, &e) == 0 &&
	    (blob < data || blob + blen > data + size))
		abort();
	return 0;
}
