/* tests/unit/test_hal_conformance.c - one suite, every backend.
 *
 * Each row of `backends` is a backend as applets open it (hal_open_opts)
 * with a key reference and the algorithms it makes; every test runs on
 * every row: create (key spec), public (found / absent), sign and verify
 * with BearSSL and with the openssl CLI, refuse / force an existing key,
 * destroy and absent after, persistence across contexts, key_list where
 * the backend has it, and non-extractable where its caps say so. A new
 * backend is one more row.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/asn1/der.h"
#include "core/base/file.h"
#include "hal/hal.h"

typedef struct backend_row {
	const char *name;
	hal_kind kind;
	const char *tpm_uri, *tee_uri, *kmu_uri;
	const char *ref;       /* key reference */
	const char *ref_file;  /* non-NULL: ref + the test's directory + "/" + this */
	pb_alg algs[4];        /* PB_ALG_NONE-terminated */
	int needs_sim;         /* only in SIM=1 builds */
	const char *uri_env;   /* non-NULL: the row runs only when this variable names the URI */
	void (*setup)(const struct backend_row *b);   /* once per test, before the row runs */
	const char *needs_file;                        /* the row runs only where it exists */
	unsigned keeps;        /* HAL_POLICY_* the backend keeps (not refused as unsupported) */
	int write_once;        /* every key is write-once: force never replaces one */
} backend_row;

#define SOFTHSM "/usr/lib/softhsm/libsofthsm2.so"
static void tee_token(const struct backend_row *b);
static void softhsm_token(const struct backend_row *b);
static void kmu_huks(const struct backend_row *b);

static const backend_row backends[] = {
	{"file", HAL_FILE, NULL, NULL, NULL, "file:", "conformance.pem",
		{PB_ALG_EC_P256, PB_ALG_EC_P384, PB_ALG_RSA_2048}, 0, NULL, NULL, NULL, 0, 0},
	{"tpm sim", HAL_TPM, "sim", NULL, NULL, "tpm:0x81000042", NULL,
		{PB_ALG_EC_P256, PB_ALG_RSA_2048}, 1, NULL, NULL, NULL, 0, 0},
	/* a real swtpm: tests/e2e/hal_conformance_swtpm.sh starts one and sets the variable */
	{"tpm swtpm", HAL_TPM, NULL, NULL, NULL, "tpm:0x81000043", NULL,
		{PB_ALG_EC_P256, PB_ALG_RSA_2048}, 0, "PB_TEST_SWTPM_URI", NULL, NULL, 0, 0},
	/* the TEE: the simulated secure storage, and SoftHSM2 as a PKCS#11 module */
	{"tee sim", HAL_TEE, NULL, "sim", NULL, "tee:conformance", NULL,
		{PB_ALG_EC_P256, PB_ALG_RSA_2048}, 1, NULL, tee_token, NULL, 0, 0},
	{"tee softhsm2", HAL_TEE, NULL, "pkcs11:" SOFTHSM ",token=conformance", NULL, "tee:conformance", NULL,
		{PB_ALG_EC_P256, PB_ALG_RSA_2048}, 0, NULL, softhsm_token, SOFTHSM, 0, 0},
	/* the KMU's identity key in KIDENT (under the MKEK, so the HUKs first);
	 * every key write-once; destroy revokes its slots until erase-all */
	{"kmu sim", HAL_KMU, NULL, NULL, "sim", "kmu:identity", NULL, {PB_ALG_EC_P256}, 1, NULL,
		kmu_huks, NULL, HAL_POLICY_PUSH_ONLY | HAL_POLICY_WRITE_ONCE, 1},
};
#define NROWS (sizeof backends / sizeof backends[0])

static char dir[64];
static int set_up[NROWS];
static void mk(void)
{
	strcpy(dir, "/tmp/pb-unit-conf.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	memset(set_up, 0, sizeof set_up);
}
static void rm(void) { char c[128]; snprintf(c, sizeof c, "rm -rf %s", dir); cr_assert_eq(system(c), 0); }

TestSuite(hal_conformance, .init = mk, .fini = rm, .timeout = 300);

/* PINs of the token rows (tee): what an applet's auth callback would give. */
static int test_auth(void *ctx, hal_auth which, pb_secret *out, int *given, pb_err *e)
{
	(void)ctx;
	*given = which != HAL_AUTH_OWNER;
	if (!*given) {
		out->len = 0;
		return 0;
	}
	return pb_secret_set(out, which == HAL_AUTH_SO_PIN ? "so-12345678" : "user-1234", e);
}

/* Does the row run here? Then it is set up once for this test. */
static int row_runs(const backend_row *b)
{
	size_t i = (size_t)(b - backends);

	if (b->uri_env) {
		const char *v = getenv(b->uri_env);
		return v != NULL && *v != '\0';
	}
	if ((b->needs_sim && !PB_SIM) || (b->needs_file && access(b->needs_file, R_OK) != 0))
		return 0;
	if (b->setup && !set_up[i]) {
		set_up[i] = 1;
		b->setup(b);
	}
	return 1;
}

static hal_ctx *open_row(const backend_row *b)
{
	hal_open_opts o = {.tpm_uri = b->tpm_uri, .tee_uri = b->tee_uri, .kmu_uri = b->kmu_uri,
		.state_dir = dir, .auth = test_auth};
	const char *uri = b->uri_env ? getenv(b->uri_env) : NULL;

	if (uri && b->kind == HAL_TPM)
		o.tpm_uri = uri;
	else if (uri && b->kind == HAL_TEE)
		o.tee_uri = uri;
	else if (uri && b->kind == HAL_KMU)
		o.kmu_uri = uri;
	hal_ctx *be;
	pb_err e;

	cr_assert_eq(hal_open(b->kind, &o, &be, &e), 0, "%s: %s", b->name, e.msg);
	return be;
}

/* A token labelled "conformance" with the SO and user PINs of test_auth. */
static void tee_token(const backend_row *b)
{
	hal_ctx *be = open_row(b);
	pb_err e;

	cr_assert_eq(hal_token_init(be, "conformance", &e), 0, "%s: %s", b->name, e.msg);
	cr_assert_eq(hal_token_set_pin(be, &e), 0, "%s: %s", b->name, e.msg);
	hal_close(be);
}

/* The hardware unique keys (MKEK, MEXT) the KMU's identity key needs. */
static void kmu_huks(const backend_row *b)
{
	static const hal_key_ref huk = {.kind = HAL_KMU, .name = "huk"};
	const hal_key_spec s = {.usage = HAL_USAGE_DERIVE, .persistent = 1,
		.policy = HAL_POLICY_WRITE_ONCE | HAL_POLICY_PUSH_ONLY};
	hal_ctx *be = open_row(b);
	pb_err e;

	cr_assert_eq(hal_key_create(be, &huk, &s, &e), 0, "%s: HUKs: %s", b->name, e.msg);
	hal_close(be);
}

/* SoftHSM2 with its own configuration and token directory in the test's. */
static void softhsm_token(const backend_row *b)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof path, "%s/softhsm", dir);
	cr_assert_eq(mkdir(path, 0700), 0);
	snprintf(path, sizeof path, "%s/softhsm2.conf", dir);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fprintf(f, "directories.tokendir = %s/softhsm\nobjectstore.backend = file\nlog.level = ERROR\n", dir);
	fclose(f);
	setenv("SOFTHSM2_CONF", path, 1);
	tee_token(b);
}

static void ref_of(const backend_row *b, hal_key_ref *r)
{
	char text[256];
	pb_err e;

	if (b->ref_file)
		snprintf(text, sizeof text, "%s%s/%s", b->ref, dir, b->ref_file);
	else
		snprintf(text, sizeof text, "%s", b->ref);
	cr_assert_eq(hal_key_ref_parse(text, r, &e), 0, "%s: %s", b->name, e.msg);
}

static hal_key_spec spec(pb_alg alg, int force)
{
	return (hal_key_spec){.alg = alg, .usage = HAL_USAGE_SIGN, .persistent = 1, .force = force};
}

static void write_file(const char *name, const void *buf, size_t len)
{
	char path[128];
	pb_err e;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	cr_assert_eq(pb_atomic_write(path, buf, len, 0600, &e), 0, "%s", e.msg);
}

/* openssl, knowing nothing of provbox, checks sig over data with the public key. */
static void openssl_verifies(const backend_row *b, const pb_pubkey *pub, pb_hash h,
	const uint8_t *sig, size_t siglen, int expect_ok)
{
	uint8_t spki[1024];
	size_t n;
	der_writer w;
	char cmd[512];

	der_writer_init(&w, spki, sizeof spki);
	pb_pubkey_write_spki(pub, &w);
	cr_assert_eq(der_writer_finish(&w, &n), DER_OK);
	write_file("pub.der", spki, n);
	write_file("sig.bin", sig, siglen);
	snprintf(cmd, sizeof cmd, "cd %s && openssl dgst -%s -verify pub.der -keyform DER "
		"-signature sig.bin data.bin >/dev/null 2>&1", dir, h == PB_HASH_SHA384 ? "sha384" : "sha256");
	if (expect_ok)
		cr_assert_eq(system(cmd), 0, "%s: openssl rejects the signature", b->name);
	else
		cr_assert_neq(system(cmd), 0, "%s: openssl accepts a wrong signature", b->name);
}

typedef struct seen { hal_key_ref ref; int found; hal_key_info info; } seen;

static int look_for(void *ctx, const hal_key_info *info, pb_err *e)
{
	seen *s = ctx;

	(void)e;
	if (info->ref.kind == s->ref.kind && strcmp(info->ref.name, s->ref.name) == 0) {
		s->found++;
		s->info = *info;
	}
	return 0;
}

/* -1: the backend has no key_list; else how often ref is listed. */
static int listed(hal_ctx *be, const hal_key_ref *r, hal_key_info *info)
{
	seen s = {.ref = *r};
	pb_err e;

	if ((*be)->key_list == NULL)
		return -1;
	cr_assert_eq(hal_key_list(be, look_for, &s, &e), 0, "%s", e.msg);
	if (info)
		*info = s.info;
	return s.found;
}

static void lifecycle_of_one_key(const backend_row *b, pb_alg alg)
{
	static const char data[] = "an artifact to sign, as pki-gen sign does";
	hal_ctx *be = open_row(b);
	hal_key_ref r;
	hal_key_spec s = spec(alg, 0);
	hal_key_info info;
	pb_pubkey pub, again;
	pb_hash h = pb_alg_hash(alg);
	uint8_t digest[PB_HASH_MAX], sig[PB_SIG_MAX];
	size_t siglen;
	int found = 1;
	pb_err e;

	ref_of(b, &r);
	cr_assert_eq(hal_key_find(be, &r, &pub, &found, &e), 0, "%s: %s", b->name, e.msg);
	cr_assert_eq(found, 0, "%s: a key before create", b->name);
	cr_assert_eq(hal_key_public(be, &r, &pub, &e), PB_EFAIL);
	cr_assert(strstr(e.msg, "not found"), "%s: %s", b->name, e.msg);

	cr_assert_eq(hal_key_create(be, &r, &s, &e), 0, "%s %s: %s", b->name, pb_alg_name(alg), e.msg);
	cr_assert_eq(hal_key_find(be, &r, &pub, &found, &e), 0, "%s: %s", b->name, e.msg);
	cr_assert_eq(found, 1);
	cr_assert_eq(pub.alg, alg, "%s: created %s, got %s", b->name, pb_alg_name(alg), pb_alg_name(pub.alg));

	/* sign: BearSSL and openssl agree, and a wrong digest fails both */
	write_file("data.bin", data, sizeof data - 1);
	cr_assert_eq(hal_sign_data(be, &r, h, data, sizeof data - 1, sig, sizeof sig, &siglen, &e), 0,
		"%s: %s", b->name, e.msg);
	pb_hash_data(h, data, sizeof data - 1, digest);
	cr_assert(pb_pubkey_verify(&pub, h, digest, pb_hash_len(h), sig, siglen), "%s: BearSSL rejects", b->name);
	openssl_verifies(b, &pub, h, sig, siglen, 1);
	digest[0] ^= 1;
	cr_assert(!pb_pubkey_verify(&pub, h, digest, pb_hash_len(h), sig, siglen));
	sig[siglen / 2] ^= 0x01;
	openssl_verifies(b, &pub, h, sig, siglen, 0);

	/* an existing key is refused, and kept; force replaces it */
	cr_assert_eq(hal_key_create(be, &r, &s, &e), PB_EFAIL, "%s: create over a key", b->name);
	cr_assert_eq(hal_key_public(be, &r, &again, &e), 0);
	cr_assert(pb_pubkey_equal(&pub, &again), "%s: a refused create changed the key", b->name);
	s.force = 1;
	if (b->write_once) {
		cr_assert_eq(hal_key_create(be, &r, &s, &e), PB_EFAIL, "%s: force over a write-once key", b->name);
		cr_assert_eq(hal_key_public(be, &r, &again, &e), 0);
		cr_assert(pb_pubkey_equal(&pub, &again), "%s: force changed a write-once key", b->name);
	} else {
		cr_assert_eq(hal_key_create(be, &r, &s, &e), 0, "%s: %s", b->name, e.msg);
		cr_assert_eq(hal_key_public(be, &r, &again, &e), 0);
		cr_assert(!pb_pubkey_equal(&pub, &again), "%s: force kept the old key", b->name);
		pub = again;
	}

	/* listed where the backend lists; private and local where it says so */
	int n = listed(be, &r, &info);
	if (n >= 0) {
		cr_assert_eq(n, 1, "%s: key_list shows the key %d times", b->name, n);
		cr_assert_eq(info.alg, alg);
		cr_assert_eq(info.usage, HAL_USAGE_SIGN);
		if (hal_caps(be) & HAL_CAP_NON_EXTRACTABLE)
			cr_assert(info.sensitive && !info.extractable, "%s: caps say non-extractable", b->name);
	}
	hal_close(be);

	/* persistent: another context (process) finds the same key */
	be = open_row(b);
	cr_assert_eq(hal_key_public(be, &r, &again, &e), 0, "%s: %s", b->name, e.msg);
	cr_assert(pb_pubkey_equal(&pub, &again), "%s: the key did not persist", b->name);

	/* destroy: absent after, a second destroy fails */
	cr_assert_eq(hal_key_destroy(be, &r, &e), 0, "%s: %s", b->name, e.msg);
	cr_assert_eq(hal_key_find(be, &r, &again, &found, &e), 0, "%s: %s", b->name, e.msg);
	cr_assert_eq(found, 0, "%s: key still there after destroy", b->name);
	cr_assert_eq(hal_key_destroy(be, &r, &e), PB_EFAIL);
	n = listed(be, &r, NULL);
	cr_assert(n <= 0, "%s: a destroyed key is listed", b->name);
	hal_close(be);
}

Test(hal_conformance, create_public_sign_verify_destroy) {
	for (size_t i = 0; i < NROWS; i++) {
		if (!row_runs(&backends[i]))
			continue;
		for (const pb_alg *a = backends[i].algs; *a != PB_ALG_NONE; a++)
			lifecycle_of_one_key(&backends[i], *a);
	}
}

Test(hal_conformance, caps_are_honest) {
	for (size_t i = 0; i < NROWS; i++) {
		const backend_row *b = &backends[i];
		hal_ctx *be;
		unsigned caps;

		if (!row_runs(b))
			continue;
		be = open_row(b);
		caps = hal_caps(be);
		cr_assert_str_eq((*be)->name, hal_kind_name(b->kind));
		cr_assert_eq(!!(caps & HAL_CAP_LIFECYCLE), hal_has_lifecycle(be), "%s", b->name);
		cr_assert_eq(!!(caps & HAL_CAP_TOKEN_ADMIN), (*be)->token_init != NULL || (*be)->token_erase != NULL,
			"%s", b->name);
		/* a backend whose files hold the private key cannot claim otherwise */
		if (b->kind == HAL_FILE)
			cr_assert_eq(caps & HAL_CAP_NON_EXTRACTABLE, 0);
		hal_close(be);
	}
}

/* A session key or a derive key where the backend has none: refused as a
 * usage error, nothing created. */
Test(hal_conformance, refuses_specs_it_cannot_keep) {
	for (size_t i = 0; i < NROWS; i++) {
		const backend_row *b = &backends[i];
		hal_key_spec s = spec(b->algs[0], 0);
		hal_key_ref r;
		hal_ctx *be;
		pb_pubkey pub;
		int found;
		pb_err e;

		if (!row_runs(b))
			continue;
		be = open_row(b);
		ref_of(b, &r);
		s.policy = HAL_POLICY_PUSH_ONLY;
		if (!(b->keeps & HAL_POLICY_PUSH_ONLY))
			cr_assert_eq(hal_key_create(be, &r, &s, &e), PB_EUSAGE, "%s: push-only accepted", b->name);
		s.policy = 0;
		s.usage = HAL_USAGE_DERIVE;
		cr_assert_eq(hal_key_create(be, &r, &s, &e), PB_EUSAGE, "%s: derive accepted", b->name);
		cr_assert_eq(hal_key_find(be, &r, &pub, &found, &e), 0);
		cr_assert_eq(found, 0, "%s: a refused spec left a key", b->name);
		hal_close(be);
	}
}
