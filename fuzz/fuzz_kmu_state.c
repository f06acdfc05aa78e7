/* fuzz/fuzz_kmu_state.c - the simulated KMU's slot file (STATE/kmu/slots).
 *
 * The input is parsed twice: as a whole file, and as a body under a
 * header made here with the right length and checksum, so that the
 * fuzzer reaches the record parser behind the checksum. What parses must
 * serialize back to the same bytes, and the KMU's rules must hold on it. */
#include <stdlib.h>
#include <string.h>

#include "core/crypto/crypto.h"
#include "sim/kmu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t file[SIM_KMU_FILE_MAX + 64], again[SIM_KMU_FILE_MAX];

static void check(const uint8_t *buf, size_t len)
{
	sim_kmu_image img;
	uint8_t out[2 * SIM_KMU_SLOT_BYTES];
	size_t n, olen;
	pb_err e;

	if (sim_kmu_parse(buf, len, &img, &e) != 0)
		return;
	/* serialize is canonical: the same bytes back */
	if (sim_kmu_serialize(&img, again, sizeof again, &n, &e) != 0 || n != len || memcmp(again, buf, n) != 0)
		abort();
	for (unsigned s = 0; s < SIM_KMU_SLOTS; s++) {
		int rc = sim_kmu_img_read(&img, s, out, sizeof out, &olen, &e);
		/* a push-only slot never reads back */
		if (rc == 0 && (img.slot[s].flags & SIM_KMU_PUSH_ONLY))
			abort();
		(void)sim_kmu_img_pair_present(&img, s);
	}
	int lc = sim_kmu_img_lc(&img);
	if (lc < SIM_KMU_LC_ASSEMBLY || lc > SIM_KMU_LC_DECOMMISSIONED)
		abort();
	if (lc > SIM_KMU_LC_ASSEMBLY && sim_kmu_img_lc_set(&img, lc - 1, &e) != PB_EREFUSED)
		abort();
	if (lc < SIM_KMU_LC_DECOMMISSIONED && (sim_kmu_img_lc_set(&img, lc + 1, &e) != 0 ||
	    sim_kmu_img_lc(&img) != lc + 1))
		abort();
	sim_kmu_image_wipe(&img);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check(data, size);
	if (size > SIM_KMU_FILE_MAX - SIM_KMU_HEADER)
		return 0;
	memcpy(file, "PBKMU\0\0\x01", 8);
	file[8] = (uint8_t)(size >> 24);
	file[9] = (uint8_t)(size >> 16);
	file[10] = (uint8_t)(size >> 8);
	file[11] = (uint8_t)size;
	pb_hash_data(PB_HASH_SHA256, data, size, file + 12);
	memcpy(file + SIM_KMU_HEADER, data, size);
	check(file, SIM_KMU_HEADER + size);
	return 0;
}
