/* fuzz/fuzz_token_import.c - `token import P12` end to end on a hostile
 * PKCS#12 file (password and PIN "fuzz"), in a fresh state directory each
 * time (tmpfs when there is one, removed at exit), then the token's whole
 * life: unlock, wrap a container key, change the PIN, unwrap, info, list,
 * remove. Invariants: import gives 0 or refuses with 1, 4 or 5; an
 * imported token unlocks with the PIN; the container key survives the PIN
 * change; the old PIN is refused (4) after it; remove leaves no token.
 * Fuzz builds write PKCS#12 with 16 iterations (pkcs12.h). */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/token/token.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(path);
}

static void cleanup(void)
{
	if (dir[0] != '\0')
		(void)nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static int count(void *ctx, const char *name, pb_err *e)
{
	(void)name, (void)e;
	++*(int *)ctx;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[1 << 16];
	uint8_t k1[PB_CONTAINER_KEY_LEN], k2[PB_CONTAINER_KEY_LEN];
	pb_secret pin, pin2;
	pb_state st;
	pb_token t;
	pb_token_keys keys;
	pb_token_info info;
	int rc, n = 0;
	pb_err e;

	if (size > sizeof buf)
		return 0;
	if (dir[0] == '\0') {
		snprintf(dir, sizeof dir, "%s/pb-fuzz-tok.XXXXXX", access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
		if (mkdtemp(dir) == NULL)
			abort();
		atexit(cleanup);
	}
	cleanup();   /* a fresh state directory: no failure count carried over */
	if (mkdir(dir, 0700) != 0 || pb_state_open(&st, dir, &e) != 0 || pb_token_init(&t, &st, "device", &e) != 0)
		abort();
	pb_secret_set(&pin, "fuzz", &e);
	pb_secret_set(&pin2, "fuzz-2", &e);
	memcpy(buf, data, size);
	rc = pb_token_import(&t, buf, size, &pin, 1, &e);
	if (rc != 0 && rc != PB_EFAIL && rc != PB_EAUTH && rc != PB_EVERIFY)
		abort();
	if (rc == 0) {
		if (pb_token_unlock(&t, &pin, &keys, &e) != 0)
			abort();
		pb_token_keys_wipe(&keys);
		if (pb_container_wrap(&t, &pin, "c", 0, &e) != 0 || pb_container_unwrap(&t, &pin, "c", k1, &e) != 0 ||
		    pb_token_change_pin(&t, &pin, &pin2, &e) != 0 || pb_token_unlock(&t, &pin, &keys, &e) != PB_EAUTH ||
		    pb_container_unwrap(&t, &pin2, "c", k2, &e) != 0 || memcmp(k1, k2, sizeof k1) != 0 ||
		    pb_token_info_get(&t, &info, &e) != 0 || pb_container_each(&t, count, &n, &e) != 0 || n != 1 ||
		    pb_token_remove(&t, 1, &e) != 0)
			abort();
		n = 0;
		if (pb_token_each(&st, count, &n, &e) != 0 || n != 0)
			abort();
	}
	pb_token_close(&t);
	pb_secret_wipe(&pin);
	pb_secret_wipe(&pin2);
	return 0;
}
