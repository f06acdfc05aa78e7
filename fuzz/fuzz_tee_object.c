/* fuzz/fuzz_tee_object.c - the simulated TEE's key object files (STATE/tee/obj.N):
 * the file header, AES-GCM opening under the storage key of a fixed device
 * secret (00 01 .. 1f, as fuzz/make_tee_corpus.sh makes the seeds), and the
 * object parser, on what decrypts and on the input taken as plaintext. */
#include <stdlib.h>
#include <string.h>

#include "sim/tee.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static sim_tee_object obj;

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
		if (sim_tee_object_parse(pt, h.n, &obj, &e) == 0) {
			pb_privkey k;
			if (obj.der < pt || obj.der + obj.derlen > pt + h.n)
				abort();
			pb_privkey_parse_der(obj.der, obj.derlen, &k, &e);
			pb_privkey_wipe(&k);
		}
	}
	if (sim_tee_object_parse(data, size, &obj, &e) == 0 &&
	    (obj.der < data || obj.der + obj.derlen > data + size))
		abort();
	free(buf);
	return 0;
}
