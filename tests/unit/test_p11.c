/* tests/unit/test_p11.c - the PKCS#11 layer of the tee backend against a
 * real module: SoftHSM2 with its own SOFTHSM2_CONF and token directory in
 * a temporary directory. (pkcs11-tool and openssl interop: tests/e2e/tee_*.sh.) */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hal/p11.h"

#define SOFTHSM "/usr/lib/softhsm/libsofthsm2.so"

static char dir[64];

static void mk(void)
{
	char conf[128];
	FILE *f;

	strcpy(dir, "/tmp/pb-unit-p11.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(conf, sizeof conf, "%s/tokens", dir);
	cr_assert_eq(mkdir(conf, 0700), 0);
	snprintf(conf, sizeof conf, "%s/softhsm2.conf", dir);
	f = fopen(conf, "w");
	cr_assert_not_null(f);
	fprintf(f, "directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n", dir);
	fclose(f);
	setenv("SOFTHSM2_CONF", conf, 1);
}

static void rm(void)
{
	char c[128];

	snprintf(c, sizeof c, "rm -rf %s", dir);
	cr_assert_eq(system(c), 0);
}

TestSuite(p11, .init = mk, .fini = rm, .timeout = 120);

static void secret(pb_secret *s, const char *v)
{
	pb_err e;
	cr_assert_eq(pb_secret_set(s, v, &e), 0);
}

static void load(p11 *p, const char *uri)
{
	p11_uri u;
	pb_err e;

	if (access(SOFTHSM, R_OK) != 0)
		cr_skip_test("SoftHSM2 not installed");
	cr_assert_eq(p11_uri_parse(uri, &u, &e), 0, "%s", e.msg);
	cr_assert_eq(p11_load(p, &u, &e), 0, "%s", e.msg);
}

/* A token "tok0" with SO PIN 1234567 and user PIN 7654321, logged in. */
static void ready(p11 *p)
{
	pb_secret so, user;
	pb_err e;
	int changed;

	secret(&so, "1234567");
	secret(&user, "7654321");
	load(p, SOFTHSM);
	cr_assert_eq(p11_init_token(p, "tok0", &so, 0, &changed, &e), 0, "%s", e.msg);
	cr_assert_eq(changed, 1);
	cr_assert_eq(p11_init_pin(p, &so, &user, &e), 0, "%s", e.msg);
	cr_assert_eq(p11_login(p, CKU_USER, &user, &e), 0, "%s", e.msg);
}

Test(p11, uri_forms)
{
	p11_uri u;
	pb_err e;

	cr_assert_eq(p11_uri_parse("/m.so,token=tok0,serial=abc", &u, &e), 0, "%s", e.msg);
	cr_assert_str_eq(u.module, "/m.so");
	cr_assert_str_eq(u.token, "tok0");
	cr_assert_str_eq(u.serial, "abc");
	cr_assert_eq(p11_uri_parse("/m.so,slot=0", &u, &e), PB_EUSAGE);
	cr_assert(strstr(e.msg, "token=LABEL") != NULL, "%s", e.msg);
	cr_assert_eq(p11_uri_parse("m.so", &u, &e), PB_EUSAGE);
	cr_assert_eq(p11_uri_parse("/m.so,token=a,token=b", &u, &e), PB_EUSAGE);
	cr_assert_eq(p11_uri_parse("/m.so,pin=1", &u, &e), PB_EUSAGE);
	cr_assert_eq(p11_uri_parse("/m.so,token=0123456789012345678901234567890123", &u, &e), PB_EUSAGE);
}

Test(p11, not_a_module)
{
	p11_uri u;
	p11 p;
	pb_err e;

	cr_assert_eq(p11_uri_parse("/lib/x86_64-linux-gnu/libc.so.6", &u, &e), 0);
	cr_assert_eq(p11_load(&p, &u, &e), PB_EFAIL);
	cr_assert(strstr(e.msg, "not a PKCS#11 module") != NULL, "%s", e.msg);
	p11_unload(&p);
	cr_assert_eq(p11_uri_parse("/nonexistent/module.so", &u, &e), 0);
	cr_assert_eq(p11_load(&p, &u, &e), PB_EFAIL);
	cr_assert(strstr(e.msg, "cannot load") != NULL, "%s", e.msg);
	p11_unload(&p);
}

Test(p11, init_is_rerunnable_and_checks_the_so_pin)
{
	pb_secret so, bad;
	p11 p;
	pb_err e;
	int changed;

	secret(&so, "1234567");
	secret(&bad, "0000000");
	load(&p, SOFTHSM);
	cr_assert_eq(p11_init_token(&p, "tok0", &so, 0, &changed, &e), 0, "%s", e.msg);
	cr_assert_eq(changed, 1);
	p11_unload(&p);
	load(&p, SOFTHSM);
	cr_assert_eq(p11_init_token(&p, "tok0", &so, 0, &changed, &e), 0, "%s", e.msg);
	cr_assert_eq(changed, 0);
	cr_assert_eq(p11_init_token(&p, "tok0", &bad, 0, &changed, &e), PB_EAUTH, "%s", e.msg);
	/* a second token is the next uninitialised one */
	cr_assert_eq(p11_init_token(&p, "tok1", &so, 0, &changed, &e), 0, "%s", e.msg);
	cr_assert_eq(changed, 1);
	p11_unload(&p);
	/* two tokens and none named: which one is ambiguous */
	load(&p, SOFTHSM);
	cr_assert_eq(p11_select(&p, &e), PB_EFAIL);
	cr_assert(strstr(e.msg, "'tok0'") && strstr(e.msg, "'tok1'"), "%s", e.msg);
	p11_unload(&p);
	load(&p, SOFTHSM ",token=tok1");
	cr_assert_eq(p11_select(&p, &e), 0, "%s", e.msg);
	cr_assert_str_eq(p.tok.label, "tok1");
	p11_unload(&p);
}

Test(p11, token_not_found_names_the_labels)
{
	p11 p;
	pb_err e;

	ready(&p);
	p11_unload(&p);
	load(&p, SOFTHSM ",token=nosuch");
	cr_assert_eq(p11_select(&p, &e), PB_EFAIL);
	cr_assert(strstr(e.msg, "nosuch") && strstr(e.msg, "'tok0'"), "%s", e.msg);
	p11_unload(&p);
}

Test(p11, wrong_pin_is_exit_4_and_locked_says_so)
{
	pb_secret bad;
	p11 p;
	pb_err e;

	ready(&p);
	p11_unload(&p);
	secret(&bad, "1111111");
	load(&p, SOFTHSM ",token=tok0");
	cr_assert_eq(p11_login(&p, CKU_USER, &bad, &e), PB_EAUTH, "%s", e.msg);
	cr_assert(strstr(e.msg, "CKR_PIN_INCORRECT") != NULL, "%s", e.msg);
	p11_unload(&p);
}

static void sign_verify(p11 *p, const char *label, pb_alg alg)
{
	pb_err e;
	pb_pubkey pub;
	uint8_t digest[32], sig[PB_SIG_MAX], in[64];
	size_t siglen, inlen = 0;
	int found;

	cr_assert_eq(p11_keygen(p, label, alg, 0, &e), 0, "%s", e.msg);
	cr_assert_eq(p11_keygen(p, label, alg, 0, &e), PB_EFAIL);
	cr_assert(strstr(e.msg, "exists") != NULL, "%s", e.msg);
	cr_assert_eq(p11_pubkey(p, label, &pub, &found, &e), 0, "%s", e.msg);
	cr_assert_eq(found, 1);
	cr_assert_eq(pub.alg, alg);
	pb_hash_data(PB_HASH_SHA256, "tbs", 3, digest);
	if (pb_alg_is_ec(alg)) {
		br_ec_public_key k;
		pb_pubkey_to_br_ec(&pub, &k);
		cr_assert_eq(p11_sign(p, label, CKM_ECDSA, digest, 32, sig, sizeof sig, &siglen, &e), 0,
			"%s", e.msg);
		cr_assert_eq(siglen, 64);
		cr_assert_eq(br_ecdsa_i31_vrfy_raw(pb_ec_impl(k.curve), digest, 32, &k, sig, siglen), 1);
	} else {
		const unsigned char *oid = pb_hash_rsa_oid(PB_HASH_SHA256);
		/* DigestInfo: SEQUENCE { SEQUENCE { OID, NULL }, OCTET STRING } */
		static const uint8_t head[] = {0x30, 0x31, 0x30, 0x0d};
		memcpy(in, head, 4), inlen = 4;
		in[inlen++] = 0x06, in[inlen++] = oid[0];
		memcpy(in + inlen, oid + 1, oid[0]), inlen += oid[0];
		in[inlen++] = 0x05, in[inlen++] = 0x00, in[inlen++] = 0x04, in[inlen++] = 0x20;
		memcpy(in + inlen, digest, 32), inlen += 32;
		cr_assert_eq(p11_sign(p, label, CKM_RSA_PKCS, in, inlen, sig, sizeof sig, &siglen, &e), 0,
			"%s", e.msg);
		cr_assert_eq(siglen, 256);
		cr_assert(pb_pubkey_verify(&pub, PB_HASH_SHA256, digest, 32, sig, siglen));
	}
	cr_assert_eq(p11_keygen(p, label, alg, 1, &e), 0, "%s", e.msg);
	{
		pb_pubkey pub2;
		cr_assert_eq(p11_pubkey(p, label, &pub2, &found, &e), 0, "%s", e.msg);
		cr_assert_not(pb_pubkey_equal(&pub, &pub2), "--force made a new key");
	}
}

Test(p11, ec_p256_and_rsa_2048_keys)
{
	p11 p;

	ready(&p);
	sign_verify(&p, "key0", PB_ALG_EC_P256);
	sign_verify(&p, "key1", PB_ALG_RSA_2048);
	p11_unload(&p);
}

static int count_keys(void *ctx, const p11_keyinfo *k, pb_err *e)
{
	int *n = ctx;

	(void)e;
	cr_assert(k->sensitive && !k->extractable && k->local && k->never_extractable, "%s", k->label);
	cr_assert_eq(k->alg, strcmp(k->label, "key0") == 0 ? PB_ALG_EC_P256 : PB_ALG_RSA_2048);
	(*n)++;
	return 0;
}

Test(p11, list_destroy_and_reset)
{
	pb_secret so;
	p11 p;
	pb_err e;
	pb_pubkey pub;
	int n = 0, found;

	ready(&p);
	cr_assert_eq(p11_keygen(&p, "key0", PB_ALG_EC_P256, 0, &e), 0, "%s", e.msg);
	cr_assert_eq(p11_keygen(&p, "key1", PB_ALG_RSA_2048, 0, &e), 0, "%s", e.msg);
	cr_assert_eq(p11_list(&p, count_keys, &n, &e), 0, "%s", e.msg);
	cr_assert_eq(n, 2);
	cr_assert_eq(p11_destroy(&p, "key1", &found, &e), 0, "%s", e.msg);
	cr_assert_eq(found, 1);
	cr_assert_eq(p11_pubkey(&p, "key1", &pub, &found, &e), 0, "%s", e.msg);
	cr_assert_eq(found, 0);
	secret(&so, "1234567");
	cr_assert_eq(p11_reset(&p, &so, &e), 0, "%s", e.msg);
	cr_assert_eq(p11_pubkey(&p, "key0", &pub, &found, &e), 0, "%s", e.msg);
	cr_assert_eq(found, 0);
	cr_assert_str_eq(p.tok.label, "tok0");
	p11_unload(&p);
}

Test(p11, pin_errors_are_exit_4_and_name_the_code)
{
	pb_err e;
	char b[32];

	cr_assert_eq(p11_fail(&e, CKR_PIN_INCORRECT, "C_Login"), PB_EAUTH);
	cr_assert(strstr(e.msg, "C_Login: CKR_PIN_INCORRECT") != NULL, "%s", e.msg);
	cr_assert_eq(p11_fail(&e, CKR_PIN_LOCKED, "C_Login"), PB_EAUTH);
	cr_assert(strstr(e.msg, "CKR_PIN_LOCKED") && strstr(e.msg, "locked"), "%s", e.msg);
	cr_assert_eq(p11_fail(&e, CKR_DEVICE_ERROR, "C_Sign"), PB_EFAIL);
	cr_assert_str_eq(p11_rv_name(0x80001234ul, b, sizeof b), "CKR_0x80001234");
}

typedef struct sign_job { p11 *p; pb_pubkey pub; int ok; } sign_job;

static void *sign_many(void *arg)
{
	sign_job *j = arg;
	uint8_t d[32], sig[PB_SIG_MAX];
	size_t siglen;
	br_ec_public_key k;
	pb_err e;

	pb_pubkey_to_br_ec(&j->pub, &k);
	for (int i = 0; i < 5; i++) {
		memset(d, i + 1, sizeof d);
		if (p11_sign(j->p, "key0", CKM_ECDSA, d, 32, sig, sizeof sig, &siglen, &e) == 0 &&
		    br_ecdsa_i31_vrfy_raw(pb_ec_impl(k.curve), d, 32, &k, sig, siglen) == 1)
			j->ok++;
	}
	return NULL;
}

/* The backend says HAL_CAP_SIGN_THREADSAFE: threads share the one session. */
Test(p11, threads_sign_at_once)
{
	p11 p;
	pthread_t th[4];
	sign_job j[4];
	pb_pubkey pub;
	pb_err e;
	int found;

	ready(&p);
	cr_assert_eq(p11_keygen(&p, "key0", PB_ALG_EC_P256, 0, &e), 0, "%s", e.msg);
	cr_assert_eq(p11_pubkey(&p, "key0", &pub, &found, &e), 0, "%s", e.msg);
	for (int i = 0; i < 4; i++) {
		j[i] = (sign_job){&p, pub, 0};
		cr_assert_eq(pthread_create(&th[i], NULL, sign_many, &j[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		cr_assert_eq(j[i].ok, 5, "thread %d: %d of 5 signatures", i, j[i].ok);
	}
	p11_unload(&p);
}
