/* fuzz/fuzz_tee_index.c - the simulated TEE's index file (STATE/tee/dirf.db):
 * the file header, AES-GCM opening under the storage key of a fixed device
 * secret (00 01 .. 1f, as fuzz/make_tee_corpus.sh makes the seeds), and the
 * index parser, on what decrypts and on the input taken as plaintext. */
#include <stdlib.h>
#include <string.h>

#include "sim/tee.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static sim_tee_index ix;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t huk[32], key[32], *buf, *pt;
	sim_tee_header h;
	pb_err e;

	if (size > SIM_TEE_FILE_MAX)
		return 0;
	for (int i = 0; i < 32; i++)
		huk[i] = (uint8_t)i;
	sim_tee_storage_key(huk, key);
	buf = malloc(size + 1);
	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	if (sim_tee_file_open(key, buf, size, &h, &pt, &e) == 0) {
		if (pt + h.n > buf + size)
			abort();
		sim_tee_index_parse(pt, h.n, &ix, &e);
	}
	if (sim_tee_index_parse(data, size, &ix, &e) == 0 && ix.count > SIM_TEE_MAX_OBJECTS)
		abort();
	free(buf);
	return 0;
}
