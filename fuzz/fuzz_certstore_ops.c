/* fuzz/fuzz_certstore_ops.c - the certificate store end to end on hostile
 * certificates (what `certstore add` reads), in a state directory of its
 * own (tmpfs when there is one, removed at exit): add under a kind from the bytes, list the
 * anchors, read the stored copy, remove, and open the index again.
 * Invariants: add takes only what it can keep (0, or 1/5 with nothing
 * written); an added certificate is listed under its kind, reads back byte
 * for byte, and is gone after remove; the index always reopens. */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/crypto/crypto.h"
#include "core/pki/certstore.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int listed(const pb_certstore *cs, pb_cs_kind kind, const uint8_t *der, size_t len)
{
	static pb_cs_certs l;
	pb_err e;

	if (pb_cs_anchors(cs, kind, &l, &e) != 0)
		abort();
	for (size_t i = 0; i < l.n; i++)
		if (l.c[i].der_len == len && memcmp(l.c[i].der, der, len) == 0)
			return 1;
	return 0;
}

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t back[PB_X509_MAX];
	pb_state st;
	pb_certstore cs;
	pb_cs_kind kind = (pb_cs_kind)(size % PB_CS_KINDS);
	uint8_t sha[32];
	size_t blen;
	int added = 0, rc;
	pb_err e;

	if (dir[0] == '\0') {
		snprintf(dir, sizeof dir, "%s/pb-fuzz-cs.XXXXXX", access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
		if (mkdtemp(dir) == NULL)
			abort();
		atexit(cleanup);
	}
	if (size > PB_X509_MAX || pb_state_open(&st, dir, &e) != 0 || pb_cs_open(&cs, &st, 1, &e) != 0)
		abort();
	rc = pb_cs_add(&cs, kind, data, size, &added, &e);
	if (rc != 0 && rc != PB_EFAIL && rc != PB_EVERIFY)
		abort();
	if (rc == 0) {
		pb_hash_data(PB_HASH_SHA256, data, size, sha);
		if (!listed(&cs, kind, data, size) ||
		    pb_cs_read_cert(&cs, sha, back, sizeof back, &blen, &e) != 0 || blen != size ||
		    memcmp(back, data, size) != 0 ||
		    pb_cs_remove(&cs, kind, sha, &e) != 0 || listed(&cs, kind, data, size))
			abort();
	}
	pb_cs_close(&cs);
	if (pb_cs_open(&cs, &st, 0, &e) != 0)
		abort();
	pb_cs_close(&cs);
	return 0;
}
