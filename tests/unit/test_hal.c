/* tests/unit/test_hal.c - key references and the file: backend. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hal/hal.h"
#include "hal/hal_cli.h"

#define SPEC(a, f) (&(hal_key_spec){.alg = (a), .usage = HAL_USAGE_SIGN, .persistent = 1, .force = (f)})

Test(keyref, parses_each_backend) {
	hal_key_ref r;
	pb_err e;

	cr_assert_eq(hal_key_ref_parse("tpm:0x81000002", &r, &e), 0, "%s", e.msg);
	cr_assert_eq(r.kind, HAL_TPM);
	cr_assert_eq(r.handle, 0x81000002u);
	cr_assert_eq(hal_key_ref_parse("tee:key0", &r, &e), 0);
	cr_assert_eq(r.kind, HAL_TEE);
	cr_assert_str_eq(r.name, "key0");
	cr_assert_eq(hal_key_ref_parse("kmu:identity", &r, &e), 0);
	cr_assert_eq(r.kind, HAL_KMU);
	cr_assert_eq(hal_key_ref_parse("file:/tmp/ca key.pem", &r, &e), 0);
	cr_assert_eq(r.kind, HAL_FILE);
	cr_assert_str_eq(r.name, "/tmp/ca key.pem");
}

Test(keyref, rejects_malformed) {
	hal_key_ref r;
	pb_err e;
	const char *bad[] = {
		"0x81000002", "tpm:", "tpm:81000002", "tpm:0x80000001", "tpm:0x81000002x",
		"tpm:0x1000000000", "tee:", "tee:../x", "tee:a b", "kmu:", "file:", "hsm:key",
		":x", "tee:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cr_assert_eq(hal_key_ref_parse(bad[i], &r, &e), PB_EUSAGE, "'%s' accepted", bad[i]);
		cr_assert(strstr(e.msg, "key '"), "message for '%s': %s", bad[i], e.msg);
	}
}

Test(keyref, round_trips_to_text) {
	hal_key_ref r;
	pb_err e;
	char buf[64];
	cr_assert_eq(hal_key_ref_parse("tpm:0x81000010", &r, &e), 0);
	cr_assert_str_eq(hal_key_ref_text(&r, buf, sizeof buf), "tpm:0x81000010");
}

Test(lifecycle, names_round_trip) {
	hal_lifecycle lc;
	pb_err e;
	for (int i = HAL_LC_ASSEMBLY; i <= HAL_LC_DECOMMISSIONED; i++) {
		cr_assert_eq(hal_lifecycle_parse(hal_lifecycle_name((hal_lifecycle)i), &lc, &e), 0);
		cr_assert_eq((int)lc, i);
	}
	cr_assert_eq(hal_lifecycle_parse("operational", &lc, &e), PB_EUSAGE);
}

static char dir[64];
static void mk(void) { strcpy(dir, "/tmp/pb-unit-hal.XXXXXX"); cr_assert_not_null(mkdtemp(dir)); }
static void rm(void) { char c[128]; snprintf(c, sizeof c, "rm -rf %s", dir); cr_assert_eq(system(c), 0); }

TestSuite(file_backend, .init = mk, .fini = rm);

static void create_sign_verify(pb_alg alg)
{
	hal_ctx *be;
	hal_key_ref r;
	pb_pubkey pub, pub2;
	pb_err e;
	char ref[128];
	uint8_t sig[PB_SIG_MAX], digest[PB_HASH_MAX];
	size_t siglen;
	struct stat sb;
	pb_hash h = pb_alg_hash(alg);

	snprintf(ref, sizeof ref, "file:%s/%s.pem", dir, pb_alg_name(alg));
	cr_assert_eq(hal_key_ref_parse(ref, &r, &e), 0);
	cr_assert_eq(hal_open(HAL_FILE, NULL, &be, &e), 0, "%s", e.msg);
	cr_assert_eq(hal_key_create(be, &r, SPEC(alg, 0), &e), 0, "%s", e.msg);
	cr_assert_eq(stat(r.name, &sb), 0);
	cr_assert_eq(sb.st_mode & 0777, 0600, "key files are 0600");
	cr_assert_eq(hal_key_create(be, &r, SPEC(alg, 0), &e), PB_EFAIL, "existing key is refused");
	cr_assert(strstr(e.msg, "--force"));
	cr_assert_eq(hal_key_public(be, &r, &pub, &e), 0);
	cr_assert_eq(pub.alg, alg);
	pb_hash_data(h, "artifact", 8, digest);
	cr_assert_eq(hal_key_sign(be, &r, h, digest, pb_hash_len(h), sig, sizeof sig, &siglen, &e), 0, "%s", e.msg);
	cr_assert(pb_pubkey_verify(&pub, h, digest, pb_hash_len(h), sig, siglen));
	digest[0] ^= 1;
	cr_assert(!pb_pubkey_verify(&pub, h, digest, pb_hash_len(h), sig, siglen));
	hal_close(be);

	/* a second process (a fresh context) reads the same key back */
	cr_assert_eq(hal_open(HAL_FILE, NULL, &be, &e), 0);
	cr_assert_eq(hal_key_public(be, &r, &pub2, &e), 0, "%s", e.msg);
	cr_assert(pb_pubkey_equal(&pub, &pub2));
	cr_assert_eq(hal_key_destroy(be, &r, &e), 0);
	cr_assert_eq(hal_key_public(be, &r, &pub2, &e), PB_EFAIL);
	cr_assert(strstr(e.msg, "not found"), "%s", e.msg);
	hal_close(be);
}

Test(file_backend, ec_p256) { create_sign_verify(PB_ALG_EC_P256); }
Test(file_backend, ec_p384) { create_sign_verify(PB_ALG_EC_P384); }
Test(file_backend, rsa_2048) { create_sign_verify(PB_ALG_RSA_2048); }
Test(file_backend, rsa_3072, .timeout = 120) { create_sign_verify(PB_ALG_RSA_3072); }

Test(file_backend, has_no_nv_or_lifecycle) {
	hal_ctx *be;
	pb_err e;
	hal_lifecycle lc;
	uint64_t v;
	int present;

	cr_assert_eq(hal_open(HAL_FILE, NULL, &be, &e), 0);
	cr_assert(!hal_has_lifecycle(be));
	cr_assert_eq(hal_caps(be) & HAL_CAP_LIFECYCLE, 0);
	cr_assert_eq(hal_lifecycle_read(be, &lc, &present, &e), PB_EFAIL);
	cr_assert(strstr(e.msg, "file backend: lifecycle not supported"));
	cr_assert_eq(hal_token_erase(be, &e), PB_EFAIL);
	cr_assert(strstr(e.msg, "file backend: erasing not supported"), "%s", e.msg);
	cr_assert_eq(hal_nv_counter(be, 1, 1, &v, &e), PB_EFAIL);
	hal_close(be);
}

Test(file_backend, refuses_policies_it_cannot_keep) {
	hal_ctx *be;
	hal_key_ref r;
	pb_err e;
	char ref[128];
	hal_key_spec s = {.alg = PB_ALG_EC_P256, .usage = HAL_USAGE_SIGN, .persistent = 1,
		.policy = HAL_POLICY_WRITE_ONCE};

	snprintf(ref, sizeof ref, "file:%s/wo.pem", dir);
	cr_assert_eq(hal_key_ref_parse(ref, &r, &e), 0);
	cr_assert_eq(hal_open(HAL_FILE, NULL, &be, &e), 0);
	cr_assert_eq(hal_key_create(be, &r, &s, &e), PB_EUSAGE);
	cr_assert_eq(access(r.name, F_OK), -1, "a refused create wrote a file");
	hal_close(be);
}

Test(hal, tee_and_kmu_say_when_not_built) {
	hal_ctx *be = (hal_ctx *)1;
	pb_err e;

	if (!hal_kind_available(HAL_KMU)) {
		cr_assert_eq(hal_open(HAL_KMU, NULL, &be, &e), PB_EFAIL);
		cr_assert_str_eq(e.msg, "kmu backend: not available in this build");
		cr_assert_null(be);
	}
	if (!hal_kind_available(HAL_TEE)) {
		cr_assert_eq(hal_open(HAL_TEE, NULL, &be, &e), PB_EFAIL);
		cr_assert_null(be);
	}
}

Test(file_backend, reports_garbage_key_file) {
	hal_ctx *be;
	hal_key_ref r;
	pb_pubkey pub;
	pb_err e;
	char ref[128];
	FILE *f;

	snprintf(ref, sizeof ref, "file:%s/junk.pem", dir);
	hal_key_ref_parse(ref, &r, &e);
	f = fopen(r.name, "w");
	fputs("not a key\n", f);
	fclose(f);
	cr_assert_eq(hal_open(HAL_FILE, NULL, &be, &e), 0);
	cr_assert_eq(hal_key_public(be, &r, &pub, &e), PB_EVERIFY);
	cr_assert(strstr(e.msg, "junk.pem"));
	int found = 1;
	cr_assert_eq(hal_key_find(be, &r, &pub, &found, &e), PB_EVERIFY, "a broken key is not 'absent'");
	hal_close(be);
}

/* The shared secret options reach backends through hal_cli's callback. */
TestSuite(hal_cli, .init = mk, .fini = rm);

Test(hal_cli, auth_callback_reads_each_source_once) {
	char owner[128], *argv[8];
	pb_cli cli;
	hal_open_opts o;
	hal_cli_auth a;
	pb_secret s;
	int given;
	pb_err e;
	FILE *f;

	snprintf(owner, sizeof owner, "%s/owner.pw", dir);
	f = fopen(owner, "w");
	fputs("owner pw\n", f);
	fclose(f);
	argv[0] = "x";
	argv[1] = "--owner-auth-file";
	argv[2] = owner;
	argv[3] = "--tpm";
	argv[4] = "swtpm:port=9";
	cr_assert_eq(pb_cli_parse(&cli, "x", 5, argv, NULL, NULL, NULL, &e), 0, "%s", e.msg);
	setenv("PROVBOX_SO_PIN", "so-1234", 1);
	unsetenv("PROVBOX_PIN");
	hal_opts_from_cli(&cli, &o, &a);
	cr_assert_str_eq(o.tpm_uri, "swtpm:port=9");
	cr_assert_null(o.state_dir);

	cr_assert_eq(o.auth(o.auth_ctx, HAL_AUTH_OWNER, &s, &given, &e), 0, "%s", e.msg);
	cr_assert(given && s.len == 8 && memcmp(s.buf, "owner pw", 8) == 0);
	remove(owner);   /* read once: asked again, the value is kept */
	cr_assert_eq(o.auth(o.auth_ctx, HAL_AUTH_OWNER, &s, &given, &e), 0, "%s", e.msg);
	cr_assert(given && s.len == 8);
	cr_assert_eq(o.auth(o.auth_ctx, HAL_AUTH_SO_PIN, &s, &given, &e), 0, "%s", e.msg);
	cr_assert(given && s.len == 7 && memcmp(s.buf, "so-1234", 7) == 0);
	cr_assert_null(getenv("PROVBOX_SO_PIN"), "the variable is wiped once read");
	cr_assert_eq(o.auth(o.auth_ctx, HAL_AUTH_SO_PIN, &s, &given, &e), 0);
	cr_assert(given && s.len == 7, "the value outlives the variable");
	/* no source for the user PIN and no terminal (criterion's stdin): absent */
	if (!isatty(0)) {
		cr_assert_eq(o.auth(o.auth_ctx, HAL_AUTH_USER_PIN, &s, &given, &e), 0, "%s", e.msg);
		cr_assert(!given && s.len == 0);
	}
	cr_assert_eq(o.auth(o.auth_ctx, (hal_auth)9, &s, &given, &e), PB_EFAIL);
	pb_secret_wipe(&s);
	hal_cli_auth_wipe(&a);
	for (int i = 0; i < HAL_AUTH_KINDS; i++)
		cr_assert_eq(a.val[i].len, 0);
}

Test(hal_cli, unreadable_source_is_an_error_naming_it) {
	char *argv[] = {"x", "--owner-auth-file", "/nonexistent/pw", NULL};
	pb_cli cli;
	hal_open_opts o;
	hal_cli_auth a;
	pb_secret s;
	int given;
	pb_err e;

	cr_assert_eq(pb_cli_parse(&cli, "x", 3, argv, NULL, NULL, NULL, &e), 0, "%s", e.msg);
	hal_opts_from_cli(&cli, &o, &a);
	cr_assert_eq(o.auth(o.auth_ctx, HAL_AUTH_OWNER, &s, &given, &e), PB_EFAIL);
	cr_assert(strstr(e.msg, "owner password: /nonexistent/pw"), "%s", e.msg);
	hal_cli_auth_wipe(&a);
}
