/* tests/unit/test_tpm.c - the tpm: backend over the in-process simulator,
 * its TCTI's response checks, URIs and response-code messages. (swtpm and
 * tpm2-tools interop are end-to-end tests: tests/e2e/tpm_swtpm.sh.) */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/base/file.h"
#include "hal/tpm.h"
#include "sim/tpm.h"

#define SPEC(a, f) (&(hal_key_spec){.alg = (a), .usage = HAL_USAGE_SIGN, .persistent = 1, .force = (f)})

static char dir[64];
static void mk(void) { strcpy(dir, "/tmp/pb-unit-tpm.XXXXXX"); cr_assert_not_null(mkdtemp(dir)); }
static void rm(void) { char c[128]; snprintf(c, sizeof c, "rm -rf %s", dir); cr_assert_eq(system(c), 0); }

TestSuite(tpm_sim, .init = mk, .fini = rm, .timeout = 120);

static hal_ctx *open_sim(void)
{
	hal_ctx *be;
	pb_err e;

	hal_open_opts o = {.tpm_uri = "sim", .state_dir = dir};

	cr_assert_eq(hal_open(HAL_TPM, &o, &be, &e), 0, "%s", e.msg);
	return be;
}

static void no_transients(hal_ctx *be)
{
	uint32_t n = 99;
	pb_err e;

	cr_assert_eq(hal_tpm_transient_count(be, &n, &e), 0, "%s", e.msg);
	cr_assert_eq(n, 0, "%u transient handles left behind", n);
}

static void ref(const char *text, hal_key_ref *r)
{
	pb_err e;
	cr_assert_eq(hal_key_ref_parse(text, r, &e), 0, "%s", e.msg);
}

static void create_sign_verify(pb_alg alg)
{
	hal_ctx *be = open_sim();
	hal_key_ref r;
	pb_pubkey pub, pub2;
	pb_err e;
	uint8_t digest[32], sig[PB_SIG_MAX];
	size_t siglen;

	ref("tpm:0x81000002", &r);
	cr_assert_eq(hal_key_create(be, &r, SPEC(alg, 0), &e), 0, "%s", e.msg);
	no_transients(be);
	cr_assert_eq(hal_key_public(be, &r, &pub, &e), 0, "%s", e.msg);
	cr_assert_eq(pub.alg, alg);
	pb_hash_data(PB_HASH_SHA256, "tbs", 3, digest);
	cr_assert_eq(hal_key_sign(be, &r, PB_HASH_SHA256, digest, 32, sig, sizeof sig, &siglen, &e), 0,
		"%s", e.msg);
	no_transients(be);
	cr_assert(pb_pubkey_verify(&pub, PB_HASH_SHA256, digest, 32, sig, siglen));
	digest[0] ^= 1;
	cr_assert(!pb_pubkey_verify(&pub, PB_HASH_SHA256, digest, 32, sig, siglen));
	hal_close(be);

	/* the next process finds the same key: the NV state was saved */
	be = open_sim();
	cr_assert_eq(hal_key_public(be, &r, &pub2, &e), 0, "%s", e.msg);
	cr_assert(pb_pubkey_equal(&pub, &pub2));
	hal_close(be);
}

Test(tpm_sim, ec_p256_key_persists) { create_sign_verify(PB_ALG_EC_P256); }
Test(tpm_sim, rsa_2048_key_persists) { create_sign_verify(PB_ALG_RSA_2048); }

Test(tpm_sim, state_file_is_private) {
	char path[256];
	struct stat sb;

	hal_close(open_sim());
	snprintf(path, sizeof path, "%s/tpm/%s", dir, SIM_TPM_STATE_FILE);
	cr_assert_eq(stat(path, &sb), 0, "no state file at %s", path);
	cr_assert_eq(sb.st_mode & 0777, 0600);
}

Test(tpm_sim, create_refuses_taken_handle_unless_forced) {
	hal_ctx *be = open_sim();
	hal_key_ref r;
	pb_pubkey a, b;
	pb_err e;

	ref("tpm:0x81000010", &r);
	cr_assert_eq(hal_key_create(be, &r, SPEC(PB_ALG_EC_P256, 0), &e), 0, "%s", e.msg);
	cr_assert_eq(hal_key_public(be, &r, &a, &e), 0);
	cr_assert_eq(hal_key_create(be, &r, SPEC(PB_ALG_EC_P256, 0), &e), PB_EFAIL);
	cr_assert(strstr(e.msg, "tpm:0x81000010: a key exists") && strstr(e.msg, "--force"), "%s", e.msg);
	no_transients(be);
	cr_assert_eq(hal_key_public(be, &r, &b, &e), 0);
	cr_assert(pb_pubkey_equal(&a, &b), "the refused create changed the key");
	cr_assert_eq(hal_key_create(be, &r, SPEC(PB_ALG_EC_P256, 1), &e), 0, "%s", e.msg);
	cr_assert_eq(hal_key_public(be, &r, &b, &e), 0);
	cr_assert(!pb_pubkey_equal(&a, &b), "--force kept the old key");
	no_transients(be);
	cr_assert_eq(hal_key_destroy(be, &r, &e), 0, "%s", e.msg);
	cr_assert_eq(hal_key_public(be, &r, &b, &e), PB_EFAIL);
	cr_assert_str_eq(e.msg, "key tpm:0x81000010: not found");
	int found = 1;
	cr_assert_eq(hal_key_find(be, &r, &b, &found, &e), 0, "%s", e.msg);
	cr_assert_eq(found, 0);
	cr_assert_eq(hal_key_destroy(be, &r, &e), PB_EFAIL);
	hal_close(be);
}

Test(tpm_sim, rejects_unsupported_alg_and_bad_digest) {
	hal_ctx *be = open_sim();
	hal_key_ref r;
	pb_err e;
	uint8_t d[20] = {0}, sig[PB_SIG_MAX];
	size_t n;

	ref("tpm:0x81000003", &r);
	cr_assert_eq(hal_key_create(be, &r, SPEC(PB_ALG_EC_P384, 0), &e), PB_EUSAGE);
	cr_assert(strstr(e.msg, "ec-p256, rsa-2048"), "%s", e.msg);
	cr_assert_eq(hal_key_create(be, &r, SPEC(PB_ALG_EC_P256, 0), &e), 0, "%s", e.msg);
	cr_assert_eq(hal_key_sign(be, &r, PB_HASH_SHA256, d, sizeof d, sig, sizeof sig, &n, &e), PB_EUSAGE);
	no_transients(be);
	hal_close(be);
}

Test(tpm_sim, random_bytes_differ) {
	hal_ctx *be = open_sim();
	uint8_t a[100], b[100], zero[100] = {0};
	pb_err e;

	cr_assert_eq(hal_random(be, a, sizeof a, &e), 0, "%s", e.msg);
	cr_assert_eq(hal_random(be, b, sizeof b, &e), 0);
	cr_assert(memcmp(a, b, sizeof a) != 0);
	cr_assert(memcmp(a + 68, zero, 32) != 0, "the tail was not filled");
	hal_close(be);
}

Test(tpm_sim, nv_write_once_is_enforced_by_the_tpm) {
	hal_ctx *be = open_sim();
	tpm_ctx *c = tpm_ctx_of(be);
	uint8_t buf[64];
	size_t len = 7;
	int defined = 7;
	pb_err e;
	TSS2L_SYS_AUTH_COMMAND auth;
	TSS2L_SYS_AUTH_RESPONSE rsp;
	TPM2B_MAX_NV_BUFFER data = {.size = 1, .buffer = {'x'}};

	cr_assert_eq(hal_nv_read(be, 5, buf, sizeof buf, &len, &defined, &e), 0, "%s", e.msg);
	cr_assert_eq(defined, 0);
	cr_assert_eq(len, 0);
	cr_assert_eq(hal_nv_write_once(be, 5, (const uint8_t *)"provisioning", 12, &e), 0, "%s", e.msg);
	cr_assert_eq(hal_nv_write_once(be, 5, (const uint8_t *)"secured", 7, &e), PB_EFAIL);
	cr_assert(strstr(e.msg, "already written"), "%s", e.msg);
	/* not only we refuse: the TPM does, with the owner's authorization */
	tpm_pw_session(&auth, NULL);
	TSS2_RC rc = Tss2_Sys_NV_Write(c->sys, TPM2_RH_OWNER, TPM_NV_OWNER_BASE + 5, &auth, &data, 0, &rsp);
	cr_assert_eq(tpm_rc_base(rc), TPM2_RC_NV_LOCKED, "raw NV_Write: 0x%x", rc);
	hal_close(be);

	be = open_sim();   /* and after a reset */
	cr_assert_eq(hal_nv_read(be, 5, buf, sizeof buf, &len, &defined, &e), 0, "%s", e.msg);
	cr_assert_eq(defined, 1);
	cr_assert_eq(len, 12);
	cr_assert_eq(memcmp(buf, "provisioning", 12), 0);
	cr_assert_eq(hal_nv_read(be, 5, buf, 4, &len, &defined, &e), PB_EFAIL, "small buffer");
	cr_assert_eq(hal_nv_write_once(be, 5, (const uint8_t *)"provisioning", 12, &e), PB_EFAIL);
	no_transients(be);
	hal_close(be);
}

Test(tpm_sim, nv_counter_only_goes_up) {
	hal_ctx *be = open_sim();
	uint64_t v = 99, v1, v2;
	pb_err e;

	cr_assert_eq(hal_nv_counter(be, 0x01800100, 0, &v, &e), 0, "%s", e.msg);
	cr_assert_eq(v, 0, "an undefined counter reads 0");
	cr_assert_eq(hal_nv_counter(be, 0x01800100, 1, &v1, &e), 0, "%s", e.msg);
	cr_assert_gt(v1, 0);
	hal_close(be);
	be = open_sim();
	cr_assert_eq(hal_nv_counter(be, 0x01800100, 0, &v, &e), 0, "%s", e.msg);
	cr_assert_eq(v, v1, "the counter survives a reset");
	cr_assert_eq(hal_nv_counter(be, 0x01800100, 1, &v2, &e), 0);
	cr_assert_eq(v2, v1 + 1);
	/* an index of the other kind is not taken for a counter */
	cr_assert_eq(hal_nv_write_once(be, 0x01800100, (const uint8_t *)"x", 1, &e), PB_EFAIL);
	cr_assert_eq(hal_nv_counter(be, 0x02000000, 0, &v, &e), PB_EUSAGE);
	hal_close(be);
}

/* Set the owner password with the raw TPM command, as tpm2_changeauth would. */
static void change_owner_auth(hal_ctx *be, const char *old, const char *pw)
{
	tpm_ctx *c = tpm_ctx_of(be);
	TSS2L_SYS_AUTH_COMMAND auth;
	TSS2L_SYS_AUTH_RESPONSE rsp;
	TPM2B_AUTH o = {0}, n = {0};

	o.size = (UINT16)strlen(old);
	memcpy(o.buffer, old, o.size);
	n.size = (UINT16)strlen(pw);
	memcpy(n.buffer, pw, n.size);
	tpm_pw_session(&auth, &o);
	cr_assert_eq(Tss2_Sys_HierarchyChangeAuth(c->sys, TPM2_RH_OWNER, &auth, &n, &rsp), 0);
}

/* An auth callback handing out one owner password, counting the asks. */
typedef struct owner_pw { const char *pw; int asked; } owner_pw;

static int give_owner(void *ctx, hal_auth which, pb_secret *out, int *given, pb_err *e)
{
	owner_pw *o = ctx;

	cr_assert_eq(which, HAL_AUTH_OWNER, "the TPM asks only for the owner password");
	o->asked++;
	*given = o->pw != NULL;
	return o->pw ? pb_secret_set(out, o->pw, e) : 0;
}

static hal_ctx *open_sim_owner(owner_pw *pw)
{
	hal_ctx *be;
	pb_err e;
	hal_open_opts o = {.tpm_uri = "sim", .state_dir = dir, .auth = give_owner, .auth_ctx = pw};

	cr_assert_eq(hal_open(HAL_TPM, &o, &be, &e), 0, "%s", e.msg);
	return be;
}

Test(tpm_sim, owner_password_is_required_when_set) {
	hal_ctx *be = open_sim();
	hal_key_ref r;
	pb_err e;
	owner_pw wrong = {"wrong", 0}, right = {"s3cret", 0};

	ref("tpm:0x81000002", &r);
	change_owner_auth(be, "", "s3cret");
	cr_assert_eq(hal_key_create(be, &r, SPEC(PB_ALG_EC_P256, 0), &e), PB_EAUTH);
	cr_assert(strstr(e.msg, "TPM2_CreatePrimary: TPM_RC_BAD_AUTH"), "%s", e.msg);
	no_transients(be);
	hal_close(be);
	be = open_sim_owner(&wrong);
	cr_assert_eq(hal_key_create(be, &r, SPEC(PB_ALG_EC_P256, 0), &e), PB_EAUTH);
	hal_close(be);
	be = open_sim_owner(&right);
	cr_assert_eq(right.asked, 0, "asked before it was needed");
	cr_assert_eq(hal_key_create(be, &r, SPEC(PB_ALG_EC_P256, 0), &e), 0, "%s", e.msg);
	cr_assert_eq(hal_key_create(be, &r, SPEC(PB_ALG_EC_P256, 1), &e), 0, "%s", e.msg);
	cr_assert_eq(right.asked, 1, "the owner password is asked once per context");
	no_transients(be);
	change_owner_auth(be, "s3cret", "");
	hal_close(be);
}

Test(tpm_sim, write_once_key_is_never_replaced) {
	hal_ctx *be = open_sim();
	hal_key_ref r;
	pb_pubkey a, b;
	pb_err e;
	hal_key_spec s = {.alg = PB_ALG_EC_P256, .usage = HAL_USAGE_SIGN, .persistent = 1,
		.policy = HAL_POLICY_WRITE_ONCE, .force = 1};

	ref("tpm:0x81000020", &r);
	cr_assert_eq(hal_key_create(be, &r, &s, &e), 0, "%s", e.msg);
	cr_assert_eq(hal_key_public(be, &r, &a, &e), 0);
	cr_assert_eq(hal_key_create(be, &r, &s, &e), PB_EFAIL, "write-once replaced with force");
	cr_assert(strstr(e.msg, "write-once"), "%s", e.msg);
	cr_assert_eq(hal_key_public(be, &r, &b, &e), 0);
	cr_assert(pb_pubkey_equal(&a, &b));
	s.policy = HAL_POLICY_PUSH_ONLY;
	cr_assert_eq(hal_key_create(be, &r, &s, &e), PB_EUSAGE);
	s.policy = 0;
	s.usage = HAL_USAGE_DERIVE;
	cr_assert_eq(hal_key_create(be, &r, &s, &e), PB_EUSAGE);
	hal_close(be);
}

typedef struct listed { uint32_t handles[8]; pb_alg algs[8]; int n; } listed;

static int collect(void *ctx, const hal_key_info *info, pb_err *e)
{
	listed *l = ctx;

	(void)e;
	cr_assert_lt(l->n, 8);
	cr_assert_eq(info->ref.kind, HAL_TPM);
	cr_assert(info->sensitive && !info->extractable && info->local);
	l->handles[l->n] = info->ref.handle;
	l->algs[l->n++] = info->alg;
	return 0;
}

Test(tpm_sim, key_list_shows_persistent_keys) {
	hal_ctx *be = open_sim();
	hal_key_ref a, b;
	listed l = {0};
	pb_err e;

	ref("tpm:0x81000031", &a);
	ref("tpm:0x81000030", &b);
	cr_assert_eq(hal_key_list(be, collect, &l, &e), 0, "%s", e.msg);
	cr_assert_eq(l.n, 0);
	cr_assert_eq(hal_key_create(be, &a, SPEC(PB_ALG_RSA_2048, 0), &e), 0, "%s", e.msg);
	cr_assert_eq(hal_key_create(be, &b, SPEC(PB_ALG_EC_P256, 0), &e), 0, "%s", e.msg);
	cr_assert_eq(hal_key_list(be, collect, &l, &e), 0, "%s", e.msg);
	cr_assert_eq(l.n, 2);
	cr_assert_eq(l.handles[0], 0x81000030u);
	cr_assert_eq(l.algs[0], PB_ALG_EC_P256);
	cr_assert_eq(l.handles[1], 0x81000031u);
	cr_assert_eq(l.algs[1], PB_ALG_RSA_2048);
	no_transients(be);
	hal_close(be);
}

Test(tpm_sim, lifecycle_default_storage_in_nv) {
	hal_ctx *be = open_sim();
	hal_lifecycle lc;
	int present = 1;
	pb_err e;
	char prot[160];

	cr_assert(hal_caps(be) & HAL_CAP_LIFECYCLE);
	cr_assert(hal_caps(be) & HAL_CAP_NON_EXTRACTABLE);
	cr_assert_eq(hal_caps(be) & HAL_CAP_SIGN_THREADSAFE, 0);
	cr_assert_eq(hal_lifecycle_read(be, &lc, &present, &e), 0, "%s", e.msg);
	cr_assert_eq(present, 0);
	cr_assert_eq(lc, HAL_LC_ASSEMBLY);
	cr_assert_eq(hal_lifecycle_write(be, HAL_LC_PROVISIONING, &e), 0, "%s", e.msg);
	cr_assert_eq(hal_lifecycle_write(be, HAL_LC_PROVISIONING, &e), 0, "a repeated write is a no-op");
	hal_close(be);
	be = open_sim();
	cr_assert_eq(hal_lifecycle_read(be, &lc, &present, &e), 0, "%s", e.msg);
	cr_assert(present);
	cr_assert_eq(lc, HAL_LC_PROVISIONING);
	/* the record is the TPM's: a write-once index, refusing a second write */
	cr_assert_eq(hal_nv_write_once(be, HAL_LC_NV_BASE + HAL_LC_PROVISIONING,
		(const uint8_t *)"\0\0\x20\0", 4, &e), PB_EFAIL);
	cr_assert_eq(hal_lifecycle_protection(be, prot, sizeof prot, &e), 0);
	/* the simulator's platform hierarchy is open: platform-created records */
	cr_assert(strstr(prot, "platform-created"), "%s", prot);
	hal_close(be);
}

static void read_state(uint8_t **buf, size_t *len)
{
	char path[256];
	pb_err e;

	snprintf(path, sizeof path, "%s/tpm/%s", dir, SIM_TPM_STATE_FILE);
	cr_assert_eq(pb_file_read(path, 1u << 24, buf, len, &e), 0, "%s", e.msg);
}

static void write_state(const uint8_t *buf, size_t len)
{
	char path[256];
	pb_err e;

	snprintf(path, sizeof path, "%s/tpm/%s", dir, SIM_TPM_STATE_FILE);
	cr_assert_eq(pb_atomic_write(path, buf, len, 0600, &e), 0);
}

/* Damage the state file with fn; opening must fail and leave it as it is. */
static void damaged_state_is_refused(size_t (*damage)(uint8_t *, size_t), const char *why)
{
	hal_key_ref r;
	hal_ctx *be = open_sim();
	uint8_t *buf, *after;
	size_t len, alen;
	pb_err e;

	ref("tpm:0x81000002", &r);
	cr_assert_eq(hal_key_create(be, &r, SPEC(PB_ALG_EC_P256, 0), &e), 0, "%s", e.msg);
	hal_close(be);
	read_state(&buf, &len);
	len = damage(buf, len);
	write_state(buf, len);
	cr_assert_eq(hal_open(HAL_TPM, &(hal_open_opts){.state_dir = dir}, &be, &e), PB_EFAIL);
	cr_assert(strstr(e.msg, why), "message: %s", e.msg);
	cr_assert(strstr(e.msg, "tpm/permall"), "message names the file: %s", e.msg);
	read_state(&after, &alen);
	cr_assert(alen == len && memcmp(buf, after, len) == 0, "the damaged file was rewritten");
	pb_file_free(buf, len);
	pb_file_free(after, alen);
}

static size_t flip_a_bit(uint8_t *b, size_t n) { b[n / 2] ^= 0x10; return n; }
static size_t truncate_it(uint8_t *b, size_t n) { (void)b; return n - 100; }
static size_t garbage(uint8_t *b, size_t n) { memset(b, 'x', 40); return n; }

/* Intact wrapper, damaged content: libtpms itself must refuse it. */
static size_t rewrapped_garbage(uint8_t *b, size_t n)
{
	memset(b + 44 + 8, 0xA5, 64);                /* past magic/length/hash */
	pb_hash_data(PB_HASH_SHA256, b + 44, n - 44, b + 12);
	return n;
}

Test(tpm_sim, state_libtpms_refuses_is_refused) {
	damaged_state_is_refused(rewrapped_garbage, "libtpms could not start");
}
Test(tpm_sim, corrupted_state_is_refused) { damaged_state_is_refused(flip_a_bit, "checksum mismatch"); }
Test(tpm_sim, truncated_state_is_refused) { damaged_state_is_refused(truncate_it, "corrupted state"); }
Test(tpm_sim, foreign_state_is_refused) { damaged_state_is_refused(garbage, "not a provbox TPM state"); }

Test(tpm_sim, one_simulator_per_process) {
	hal_ctx *be = open_sim(), *be2;
	pb_err e;

	cr_assert_eq(hal_open(HAL_TPM, &(hal_open_opts){.tpm_uri = "sim", .state_dir = dir}, &be2, &e),
		PB_EFAIL);
	cr_assert(strstr(e.msg, "already open"), "%s", e.msg);
	hal_close(be);
	be = open_sim();   /* and again once closed */
	hal_close(be);
}

Test(tpm_uri, rejects_malformed) {
	const char *bad[] = {
		"bogus", "sim:x", "swtpm:port=0", "swtpm:port=65535", "swtpm:port=12x", "swtpm:host=",
		"swtpm:host=a b", "swtpm:colour=red", "device:relative/path", "sim:srk=ec-p384",
		"simulator", "swtpm:/dev/tpm0",
	};
	hal_ctx *be;
	pb_err e;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		hal_open_opts o = {.tpm_uri = bad[i], .state_dir = dir};
		cr_assert_eq(hal_open(HAL_TPM, &o, &be, &e), PB_EUSAGE, "'%s' accepted", bad[i]);
		cr_assert(strstr(e.msg, "--tpm"), "'%s': %s", bad[i], e.msg);
	}
}

TestSuite(tpm_uri, .init = mk, .fini = rm);

Test(tpm_uri, missing_device_is_one_clear_error) {
	hal_ctx *be;
	pb_err e;

	hal_open_opts o = {.tpm_uri = "device:/nonexistent/tpmrm0", .state_dir = dir};

	cr_assert_eq(hal_open(HAL_TPM, &o, &be, &e), PB_EFAIL);
	cr_assert_str_eq(e.msg, "tpm backend: /nonexistent/tpmrm0: No such file or directory");
	cr_assert_null(be);
}

Test(tpm_rc, decodes_names_and_exit_codes) {
	pb_err e;

	cr_assert_eq(tpm_fail(NULL, &e, "TPM2_Create", 0x2C2), PB_EFAIL);
	cr_assert(strncmp(e.msg, "TPM2_Create: TPM_RC_ATTRIBUTES: ", 32) == 0, "%s", e.msg);
	cr_assert(strstr(e.msg, "parameter(2)"), "%s", e.msg);
	cr_assert_eq(tpm_fail(NULL, &e, "TPM2_CreatePrimary", 0x9A2), PB_EAUTH);   /* BAD_AUTH, session 1 */
	cr_assert(strstr(e.msg, "TPM_RC_BAD_AUTH"), "%s", e.msg);
	cr_assert_eq(tpm_fail(NULL, &e, "TPM2_Sign", TPM2_RC_LOCKOUT), PB_EAUTH);
	cr_assert_eq(tpm_fail(NULL, &e, "TPM2_NV_Write", TPM2_RC_NV_LOCKED), PB_EFAIL);
	cr_assert(strstr(e.msg, "TPM_RC_NV_LOCKED"), "%s", e.msg);
	cr_assert_str_eq(tpm_rc_name(0x18B), "TPM_RC_HANDLE");
	cr_assert_null(tpm_rc_name(TSS2_TCTI_RC_IO_ERROR));
	cr_assert_eq(tpm_fail(NULL, &e, "TPM2_GetRandom", TSS2_TCTI_RC_IO_ERROR), PB_EFAIL);
	cr_assert(strstr(e.msg, "TPM2_GetRandom: tcti:"), "%s", e.msg);
}

Test(tpm_tcti, checks_response_headers) {
	uint32_t rc;
	uint8_t ok[] = {0x80, 0x01, 0, 0, 0, 10, 0, 0, 0, 0};
	uint8_t err[] = {0x80, 0x01, 0, 0, 0, 10, 0, 0, 0x01, 0x8B};
	uint8_t sess[] = {0x80, 0x02, 0, 0, 0, 12, 0, 0, 0, 0, 0, 0};
	uint8_t b[16];

	cr_assert_eq(sim_tcti_check_response(ok, sizeof ok, &rc), 0);
	cr_assert_eq(sim_tcti_check_response(err, sizeof err, &rc), 0);
	cr_assert_eq(rc, 0x18B);
	cr_assert_eq(sim_tcti_check_response(sess, sizeof sess, &rc), 0);
	cr_assert_neq(sim_tcti_check_response(ok, 9, &rc), 0, "short");
	cr_assert_neq(sim_tcti_check_response(NULL, 0, &rc), 0);
	memcpy(b, ok, 10);
	b[1] = 0xC4;                       /* a TPM 1.2 tag */
	cr_assert_neq(sim_tcti_check_response(b, 10, &rc), 0, "tag");
	memcpy(b, ok, 10);
	b[5] = 11;                         /* header size beyond the bytes */
	cr_assert_neq(sim_tcti_check_response(b, 10, &rc), 0, "size");
	memcpy(b, err, 10);
	b[5] = 12;                         /* an error with a body */
	cr_assert_neq(sim_tcti_check_response(b, 12, &rc), 0, "error body");
	memcpy(b, sess, 12);
	b[9] = 1;                          /* an error with sessions */
	cr_assert_neq(sim_tcti_check_response(b, 12, &rc), 0, "error tag");
}
