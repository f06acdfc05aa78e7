/* sim/tpm.c - libtpms in-process as a TPM 2.0; see sim/tpm.h.
 *
 * libtpms keeps its whole NV memory (seeds, persistent objects, NV
 * indices, counters) in one blob that it hands to our storedata callback
 * after every command that changes it, and asks for with loaddata when
 * it powers on. We keep the blob in STATE/tpm/permall, written with
 * pb_atomic_write (0600), wrapped so that a damaged file is detected
 * before libtpms sees it:
 *
 *   "PBTPMNV" 0x01 | u32 length (big-endian) | SHA-256(blob) | blob
 *
 * libtpms' own unmarshalling checks structure, not integrity; a flipped
 * bit in a seed would otherwise silently become another TPM.
 *
 * The whole NV is loaded at open and written back as commands change
 * it, so an open simulator holds STATE/tpm/permall's lock until it is
 * closed: a second process waits for it instead of saving over it with
 * an NV that lacks the first one's keys.
 */
#include <libtpms/tpm_error.h>
#include <libtpms/tpm_library.h>
#include <libtpms/tpm_nvfilename.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tss2/tss2_mu.h>
#include <unistd.h>

#include "core/crypto/crypto.h"
#include "core/base/file.h"
#include "core/base/lock.h"
#include "core/base/secret.h"
#include "core/base/state.h"
#include "sim/tpm.h"

#define STATE_MAGIC "PBTPMNV\x01"
#define STATE_HEADER (8 + 4 + 32)
#define STATE_MAX (4u << 20)

typedef struct sim_tpm {
	sim_tcti tcti;                /* first: the TCTI context is its address */
	unsigned char *rsp;           /* libtpms' response buffer (it reallocs) */
	uint32_t rsp_cap;
} sim_tpm;

/* libtpms is process-global, and so is what its callbacks need. */
static struct {
	sim_tpm *open;
	char dir[PATH_MAX];           /* STATE/tpm */
	uint8_t *blob;                /* verified NV blob from disk, NULL: none */
	size_t blob_len;
	int store_failed;
	pb_err store_err;
	int log[2];                   /* pipe for libtpms' error log, -1: none */
	pb_lock lock;                 /* on permall while open */
} g = {.log = {-1, -1}, .lock = {-1}};

static int state_file(const char *name, char *path, size_t cap)
{
	for (const char *p = name; *p; p++)
		if (*p < 'a' || *p > 'z')
			return -1;
	return (size_t)snprintf(path, cap, "%s/%s", g.dir, name) < cap ? 0 : -1;
}

/* Check the wrapper of a state file read from disk; blob points into buf. */
int sim_tpm_state_unwrap(const char *path, const uint8_t *buf, size_t len,
	const uint8_t **blob, size_t *blen, pb_err *e)
{
	uint8_t digest[32];
	uint32_t n;

	if (len < STATE_HEADER || memcmp(buf, STATE_MAGIC, 8) != 0)
		return pb_fail(e, PB_EFAIL, "tpm sim: %s: not a provbox TPM state file", path);
	n = (uint32_t)buf[8] << 24 | (uint32_t)buf[9] << 16 | (uint32_t)buf[10] << 8 | buf[11];
	if (n != len - STATE_HEADER)
		return pb_fail(e, PB_EFAIL, "tpm sim: %s: corrupted state (length %zu, header says %u)",
			path, len - STATE_HEADER, (unsigned)n);
	pb_hash_data(PB_HASH_SHA256, buf + STATE_HEADER, n, digest);
	if (!pb_ct_equal(digest, buf + 12, sizeof digest))
		return pb_fail(e, PB_EFAIL, "tpm sim: %s: corrupted state (checksum mismatch)", path);
	*blob = buf + STATE_HEADER;
	*blen = n;
	return 0;
}

/* Read and verify STATE/tpm/permall into g.blob; absent is a new TPM. */
static int state_load(pb_err *e)
{
	char path[PATH_MAX];
	const uint8_t *blob = NULL;
	uint8_t *buf;
	size_t len, blen = 0;
	int rc;

	if (state_file(TPM_PERMANENT_ALL_NAME, path, sizeof path) != 0)
		return pb_fail(e, PB_EUSAGE, "tpm sim: state directory path too long");
	if (!pb_exists(path))
		return 0;
	if (pb_file_read(path, STATE_MAX, &buf, &len, e) != 0)
		return pb_err_prefix(e, "tpm sim");
	rc = sim_tpm_state_unwrap(path, buf, len, &blob, &blen, e);
	if (rc == 0 && (g.blob = malloc(blen)) == NULL)
		rc = pb_fail(e, PB_EFAIL, "tpm sim: out of memory");
	if (rc == 0) {
		memcpy(g.blob, blob, blen);
		g.blob_len = blen;
	}
	pb_file_free(buf, len);
	return rc;
}

static TPM_RESULT cb_nvram_init(void)
{
	return TPM_SUCCESS;
}

static TPM_RESULT cb_loaddata(unsigned char **data, uint32_t *length, uint32_t tpm_number,
	const char *name)
{
	(void)tpm_number;
	*data = NULL;
	*length = 0;
	/* TPM_RETRY: no such state yet (a new TPM is manufactured) */
	if (strcmp(name, TPM_PERMANENT_ALL_NAME) != 0 || g.blob == NULL)
		return TPM_RETRY;
	if ((*data = malloc(g.blob_len)) == NULL)   /* libtpms frees it */
		return TPM_FAIL;
	memcpy(*data, g.blob, g.blob_len);
	*length = (uint32_t)g.blob_len;
	return TPM_SUCCESS;
}

static TPM_RESULT store_failed(const pb_err *e)
{
	if (!g.store_failed)
		g.store_err = *e;
	g.store_failed = 1;
	return TPM_FAIL;
}

static TPM_RESULT cb_storedata(const unsigned char *data, uint32_t length, uint32_t tpm_number,
	const char *name)
{
	char path[PATH_MAX];
	uint8_t *buf;
	pb_err e;
	int rc;

	(void)tpm_number;
	if (state_file(name, path, sizeof path) != 0)
		return store_failed(&(pb_err){PB_EFAIL, "tpm sim: bad state name"});
	if (length > STATE_MAX - STATE_HEADER || (buf = malloc(STATE_HEADER + length)) == NULL)
		return store_failed(&(pb_err){PB_EFAIL, "tpm sim: state too large"});
	memcpy(buf, STATE_MAGIC, 8);
	buf[8] = (uint8_t)(length >> 24);
	buf[9] = (uint8_t)(length >> 16);
	buf[10] = (uint8_t)(length >> 8);
	buf[11] = (uint8_t)length;
	pb_hash_data(PB_HASH_SHA256, data, length, buf + 12);
	memcpy(buf + STATE_HEADER, data, length);
	rc = pb_atomic_write(path, buf, STATE_HEADER + length, 0600, &e);
	explicit_bzero(buf, STATE_HEADER + length);   /* holds the TPM's seeds */
	free(buf);
	if (rc != 0) {
		pb_err_prefix(&e, "tpm sim: saving the TPM state");
		return store_failed(&e);
	}
	return TPM_SUCCESS;
}

static TPM_RESULT cb_deletename(uint32_t tpm_number, const char *name, TPM_BOOL must_exist)
{
	char path[PATH_MAX];
	pb_err e;

	(void)tpm_number;
	if (state_file(name, path, sizeof path) != 0)
		return TPM_FAIL;
	if (must_exist && !pb_exists(path))
		return TPM_FAIL;
	return pb_remove(path, &e) == 0 ? TPM_SUCCESS : store_failed(&e);
}

static struct libtpms_callbacks callbacks = {
	.sizeOfStruct = sizeof(struct libtpms_callbacks),
	.tpm_nvram_init = cb_nvram_init,
	.tpm_nvram_loaddata = cb_loaddata,
	.tpm_nvram_storedata = cb_storedata,
	.tpm_nvram_deletename = cb_deletename,
};

static TSS2_RC sim_process(void *ctx, const uint8_t *cmd, size_t len, const uint8_t **rsp,
	size_t *rsp_len)
{
	sim_tpm *s = ctx;
	unsigned char buf[SIM_TPM_BUFFER_MAX];   /* TPMLIB_Process wants it writable */
	uint32_t rlen = 0;

	if (len > sizeof buf)
		return TSS2_TCTI_RC_BAD_VALUE;
	memcpy(buf, cmd, len);
	g.store_failed = 0;
	if (TPMLIB_Process(&s->rsp, &rlen, &s->rsp_cap, buf, (uint32_t)len) != TPM_SUCCESS)
		return TSS2_TCTI_RC_IO_ERROR;
	*rsp = s->rsp;
	*rsp_len = rlen;
	return TSS2_RC_SUCCESS;
}

/* TPM2_Startup / TPM2_Shutdown: header + one TPM_SU, no sessions. */
static uint32_t su_command(sim_tpm *s, TPM2_CC cc, TPM2_SU su)
{
	uint8_t cmd[12];
	const uint8_t *rsp;
	size_t off = 0, rlen;
	uint32_t rc;

	if (Tss2_MU_TPM2_ST_Marshal(TPM2_ST_NO_SESSIONS, cmd, sizeof cmd, &off) != 0 ||
	    Tss2_MU_UINT32_Marshal(sizeof cmd, cmd, sizeof cmd, &off) != 0 ||
	    Tss2_MU_TPM2_CC_Marshal(cc, cmd, sizeof cmd, &off) != 0 ||
	    Tss2_MU_UINT16_Marshal(su, cmd, sizeof cmd, &off) != 0)
		return TPM2_RC_FAILURE;
	if (sim_process(s, cmd, sizeof cmd, &rsp, &rlen) != 0 ||
	    sim_tcti_check_response(rsp, rlen, &rc) != 0)
		return TPM2_RC_FAILURE;
	return rc;
}

/* libtpms writes its errors to stderr unless given another fd: we keep
 * them in a non-blocking pipe and quote the first one in our message. */
static void log_open(void)
{
	if (pipe2(g.log, O_NONBLOCK | O_CLOEXEC) == 0)
		TPMLIB_SetDebugFD(g.log[1]);
	else
		g.log[0] = g.log[1] = -1;
}

static void log_reason(char *out, size_t cap)
{
	char buf[512], *line, *nl;
	ssize_t n = g.log[0] >= 0 ? read(g.log[0], buf, sizeof buf - 1) : -1;

	out[0] = '\0';
	if (n <= 0)
		return;
	buf[n] = '\0';
	line = strstr(buf, "libtpms/tpm2: ") ? strstr(buf, "libtpms/tpm2: ") + 14 : buf;
	if ((nl = strchr(line, '\n')) != NULL)
		*nl = '\0';
	snprintf(out, cap, ": %.*s", (int)(cap > 3 ? cap - 3 : 0), line);
}

static void release(sim_tpm *s, int terminate)
{
	if (terminate)
		TPMLIB_Terminate();
	if (g.blob) {
		explicit_bzero(g.blob, g.blob_len);
		free(g.blob);
	}
	g.blob = NULL;
	g.blob_len = 0;
	g.open = NULL;
	if (g.log[0] >= 0) {
		TPMLIB_SetDebugFD(-1);   /* no stale fd once the pipe is gone */
		close(g.log[0]);
		close(g.log[1]);
	}
	g.log[0] = g.log[1] = -1;
	pb_lock_release(&g.lock);   /* last: nothing more is written */
	if (s) {
		free(s->rsp);
		free(s);
	}
}

/* Remove "permall.tmp.XXXXXX" files that a killed writer left: only a
 * writer holding permall's lock makes them, so under the lock they are
 * stale. Best effort: a leftover costs disk space, not correctness. */
static void sweep_stale(void)
{
	static const char stem[] = TPM_PERMANENT_ALL_NAME ".tmp.";
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(g.dir);

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, stem, sizeof stem - 1) == 0 &&
		    strlen(de->d_name) == sizeof stem - 1 + 6 &&
		    (size_t)snprintf(path, sizeof path, "%s/%s", g.dir, de->d_name) < sizeof path)
			(void)unlink(path);
	closedir(d);
}

int sim_tpm_open(const char *state_dir, TSS2_TCTI_CONTEXT **tcti, pb_err *e)
{
	pb_state st;
	sim_tpm *s;
	TPM_RESULT res;
	uint32_t rc;
	char why[160], path[PATH_MAX];

	if (g.open)
		return pb_fail(e, PB_EFAIL, "tpm sim: already open in this process");
	if (pb_state_open(&st, state_dir, e) != 0 || pb_state_subdir(&st, "tpm", g.dir, sizeof g.dir, e) != 0)
		return e->code;
	g.store_failed = 0;
	if (state_file(TPM_PERMANENT_ALL_NAME, path, sizeof path) != 0)
		return pb_fail(e, PB_EUSAGE, "tpm sim: state directory path too long");
	if (pb_lock_acquire(&g.lock, path, e) != 0)
		return e->code;
	sweep_stale();
	if (state_load(e) != 0) {
		release(NULL, 0);
		return e->code;
	}
	if ((s = calloc(1, sizeof *s)) == NULL) {
		release(NULL, 0);
		return pb_fail(e, PB_EFAIL, "tpm sim: out of memory");
	}
	g.open = s;
	log_open();
	if (TPMLIB_ChooseTPMVersion(TPMLIB_TPM_VERSION_2) != TPM_SUCCESS ||
	    TPMLIB_RegisterCallbacks(&callbacks) != TPM_SUCCESS) {
		release(s, 0);
		return pb_fail(e, PB_EFAIL, "tpm sim: libtpms has no TPM 2.0");
	}
	if ((res = TPMLIB_MainInit()) != TPM_SUCCESS) {
		log_reason(why, sizeof why);
		release(s, 1);
		if (sim_tpm_state_error(e) != 0)
			return e->code;
		return pb_fail(e, PB_EFAIL, "tpm sim: libtpms could not start from %s/%s (0x%x)%s",
			g.dir, TPM_PERMANENT_ALL_NAME, (unsigned)res, why);
	}
	sim_tcti_init(&s->tcti, sim_process, s);
	if ((rc = su_command(s, TPM2_CC_Startup, TPM2_SU_CLEAR)) != TPM2_RC_SUCCESS) {
		log_reason(why, sizeof why);
		release(s, 1);
		if (sim_tpm_state_error(e) != 0)
			return e->code;
		return pb_fail(e, PB_EFAIL, "tpm sim: TPM2_Startup failed (response code 0x%x)%s",
			(unsigned)rc, why);
	}
	*tcti = (TSS2_TCTI_CONTEXT *)(void *)&s->tcti;
	return 0;
}

void sim_tpm_close(TSS2_TCTI_CONTEXT *tcti)
{
	sim_tpm *s = (sim_tpm *)(void *)tcti;

	if (s == NULL || s != g.open)
		return;
	/* orderly shutdown: the next power-on is not counted as a power loss
	 * (which the dictionary-attack logic would count against us) */
	(void)su_command(s, TPM2_CC_Shutdown, TPM2_SU_CLEAR);
	release(s, 1);
}

int sim_tpm_state_error(pb_err *e)
{
	if (!g.store_failed)
		return 0;
	*e = g.store_err;
	return e->code;
}
