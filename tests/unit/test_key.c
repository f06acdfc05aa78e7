/* tests/unit/test_key.c - keys against openssl: we read what it writes,
 * it reads what we write, signatures verify both ways. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/asn1/der.h"
#include "core/base/file.h"
#include "core/crypto/key.h"
#include "core/asn1/pem.h"

static char dir[64];
static void mk(void) { strcpy(dir, "/tmp/pb-unit-key.XXXXXX"); cr_assert_not_null(mkdtemp(dir)); }
static void rm(void) { char c[128]; snprintf(c, sizeof c, "rm -rf %s", dir); cr_assert_eq(system(c), 0); }
TestSuite(key, .init = mk, .fini = rm);

static int sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	return system(cmd);
}

static void load_key(const char *path, pb_privkey *k)
{
	uint8_t *buf;
	size_t len;
	pb_err e;
	cr_assert_eq(pb_file_read(path, 1 << 20, &buf, &len, &e), 0, "%s", e.msg);
	cr_assert_eq(pb_privkey_load(buf, len, k, &e), 0, "%s: %s", path, e.msg);
	pb_file_free(buf, len);
}

static void write_pem(const char *path, const char *label, const uint8_t *der, size_t len)
{
	char pem[8192];
	size_t plen;
	pb_err e;
	cr_assert_eq(pem_encode(label, der, len, pem, sizeof pem, &plen, &e), 0);
	cr_assert_eq(pb_atomic_write(path, pem, plen, 0600, &e), 0);
}

/* openssl verifies our signature over "data" with the public key it
 * extracts from key_path. */
static void openssl_verifies(const pb_privkey *k, const char *key_path)
{
	uint8_t sig[PB_SIG_MAX], digest[PB_HASH_MAX];
	size_t siglen;
	pb_err e;
	char p[128];
	pb_hash h = pb_alg_hash(k->alg);

	pb_hash_data(h, "data", 4, digest);
	cr_assert_eq(pb_privkey_sign(k, h, digest, pb_hash_len(h), sig, sizeof sig, &siglen, &e), 0);
	snprintf(p, sizeof p, "%s/sig", dir);
	cr_assert_eq(pb_atomic_write(p, sig, siglen, 0600, &e), 0);
	cr_assert_eq(sh("cd %s && printf data > data && openssl pkey -in %s -pubout -out pub.pem 2>/dev/null && "
		"openssl dgst -%s -verify pub.pem -signature sig data >/dev/null",
		dir, key_path, h == PB_HASH_SHA384 ? "sha384" : "sha256"), 0, "openssl rejects our signature");
	cr_assert(pb_pubkey_verify(&k->pub, h, digest, pb_hash_len(h), sig, siglen));
}

static void reads_openssl_key(const char *genpkey_args, const char *conv, pb_alg alg)
{
	char path[128];
	pb_privkey k;

	snprintf(path, sizeof path, "%s/k.pem", dir);
	cr_assert_eq(sh("cd %s && openssl genpkey %s -out k0.pem 2>/dev/null && %s", dir, genpkey_args, conv), 0);
	load_key(path, &k);
	cr_assert_eq(k.alg, alg);
	openssl_verifies(&k, path);
	pb_privkey_wipe(&k);
}

Test(key, reads_openssl_pkcs8_p256) {
	reads_openssl_key("-algorithm EC -pkeyopt ec_paramgen_curve:P-256", "cp k0.pem k.pem", PB_ALG_EC_P256);
}
Test(key, reads_openssl_sec1_p384) {
	reads_openssl_key("-algorithm EC -pkeyopt ec_paramgen_curve:P-384",
		"openssl ec -in k0.pem -out k.pem 2>/dev/null", PB_ALG_EC_P384);
}
Test(key, reads_openssl_sec1_with_params_block) {
	reads_openssl_key("-algorithm EC -pkeyopt ec_paramgen_curve:P-256",
		"openssl ecparam -name prime256v1 > k.pem && openssl ec -in k0.pem >> k.pem 2>/dev/null",
		PB_ALG_EC_P256);
}
Test(key, reads_openssl_pkcs1_rsa2048) {
	reads_openssl_key("-algorithm RSA -pkeyopt rsa_keygen_bits:2048",
		"openssl rsa -in k0.pem -traditional -out k.pem 2>/dev/null", PB_ALG_RSA_2048);
}
Test(key, reads_openssl_der_pkcs8_rsa3072, .timeout = 60) {
	reads_openssl_key("-algorithm RSA -pkeyopt rsa_keygen_bits:3072",
		"openssl pkey -in k0.pem -outform DER -out k.pem", PB_ALG_RSA_3072);
}

static void openssl_reads_ours(pb_alg alg)
{
	pb_privkey k, k2;
	uint8_t der[4096];
	size_t len;
	pb_err e;
	char path[128];

	cr_assert_eq(pb_privkey_generate(alg, &k, &e), 0, "%s", e.msg);
	cr_assert_eq(pb_privkey_to_pkcs8(&k, der, sizeof der, &len, &e), 0);
	snprintf(path, sizeof path, "%s/ours.pem", dir);
	write_pem(path, "PRIVATE KEY", der, len);
	cr_assert_eq(sh("openssl pkey -in %s -check -noout >/dev/null 2>&1", path), 0, "openssl rejects our key");
	openssl_verifies(&k, path);
	load_key(path, &k2);
	cr_assert(pb_pubkey_equal(&k.pub, &k2.pub));
	pb_privkey_wipe(&k);
	pb_privkey_wipe(&k2);
}

Test(key, openssl_reads_our_p256) { openssl_reads_ours(PB_ALG_EC_P256); }
Test(key, openssl_reads_our_p384) { openssl_reads_ours(PB_ALG_EC_P384); }
Test(key, openssl_reads_our_rsa2048) { openssl_reads_ours(PB_ALG_RSA_2048); }

Test(key, spki_matches_openssl) {
	pb_privkey k;
	uint8_t spki[1024], *ossl;
	size_t olen;
	der_writer w;
	size_t len;
	pb_err e;
	pb_pubkey p;
	char path[128];

	cr_assert_eq(pb_privkey_generate(PB_ALG_EC_P256, &k, &e), 0);
	der_writer_init(&w, spki, sizeof spki);
	pb_pubkey_write_spki(&k.pub, &w);
	cr_assert_eq(der_writer_finish(&w, &len), DER_OK);
	cr_assert_eq(pb_pubkey_parse_spki(spki, len, &p, &e), 0, "%s", e.msg);
	cr_assert(pb_pubkey_equal(&p, &k.pub));
	/* openssl derives the same SPKI from our private key */
	cr_assert_eq(pb_privkey_to_pkcs8(&k, spki + 512, 512, &olen, &e), 0);
	snprintf(path, sizeof path, "%s/k.pem", dir);
	write_pem(path, "PRIVATE KEY", spki + 512, olen);
	cr_assert_eq(sh("openssl pkey -in %s -pubout -outform DER -out %s/pub.der 2>/dev/null", path, dir), 0);
	snprintf(path, sizeof path, "%s/pub.der", dir);
	cr_assert_eq(pb_file_read(path, 4096, &ossl, &olen, &e), 0);
	cr_assert_eq(olen, len);
	cr_assert_eq(memcmp(ossl, spki, len), 0);
	pb_file_free(ossl, olen);
}

Test(key, rejects_mismatched_public_part) {
	pb_privkey a, b;
	uint8_t der[512];
	size_t len;
	pb_err e;
	br_ec_private_key sk;
	br_ec_public_key pk;

	cr_assert_eq(pb_privkey_generate(PB_ALG_EC_P256, &a, &e), 0);
	cr_assert_eq(pb_privkey_generate(PB_ALG_EC_P256, &b, &e), 0);
	/* a's scalar with b's public point */
	pb_privkey_to_br_ec(&a, &sk);
	pb_pubkey_to_br_ec(&b.pub, &pk);
	len = br_encode_ec_raw_der(der, &sk, &pk);
	cr_assert_eq(pb_privkey_parse_der(der, len, &a, &e), PB_EVERIFY);
	cr_assert(strstr(e.msg, "does not match"));
}

Test(key, rejects_zero_scalar) {
	pb_privkey k;
	pb_err e;
	/* SEC1 ECPrivateKey, version 1, 32 zero bytes, [0] P-256 */
	uint8_t der[] = {0x30, 0x31, 0x02, 0x01, 0x01, 0x04, 0x20,
		0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0,
		0xA0, 0x0A, 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07};
	cr_assert_eq(pb_privkey_parse_der(der, sizeof der, &k, &e), PB_EVERIFY);
	cr_assert(strstr(e.msg, "out of range"));
}

Test(key, alg_names) {
	pb_alg a;
	pb_err e;
	cr_assert_eq(pb_alg_parse("ec-p384", &a, &e), 0);
	cr_assert_eq(a, PB_ALG_EC_P384);
	cr_assert_str_eq(pb_alg_name(PB_ALG_RSA_3072), "rsa-3072");
	cr_assert_eq(pb_alg_parse("ed25519", &a, &e), PB_EUSAGE);
	cr_assert(strstr(e.msg, "ec-p256"));
}

Test(key, rsa_signature_of_wrong_length_fails) {
	pb_privkey k;
	pb_err e;
	uint8_t d[32] = {0}, sig[PB_SIG_MAX];
	size_t n;
	cr_assert_eq(pb_privkey_generate(PB_ALG_RSA_2048, &k, &e), 0);
	cr_assert_eq(pb_privkey_sign(&k, PB_HASH_SHA256, d, 32, sig, sizeof sig, &n, &e), 0);
	cr_assert(pb_pubkey_verify(&k.pub, PB_HASH_SHA256, d, 32, sig, n));
	cr_assert(!pb_pubkey_verify(&k.pub, PB_HASH_SHA256, d, 32, sig, n - 1));
	cr_assert(!pb_pubkey_verify(&k.pub, PB_HASH_SHA384, d, 32, sig, n));
}

Test(key, rejects_scalar_equal_to_order) {
	pb_privkey k;
	pb_err e;
	uint8_t der[] = {0x30, 0x31, 0x02, 0x01, 0x01, 0x04, 0x20,
		0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
		0xBC, 0xE6, 0xFA, 0xAD, 0xA7, 0x17, 0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51,
		0xA0, 0x0A, 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07};
	cr_assert_eq(pb_privkey_parse_der(der, sizeof der, &k, &e), PB_EVERIFY);
	cr_assert(strstr(e.msg, "out of range"));
	der[sizeof der - 13] = 0x50;   /* order - 1 is the largest valid scalar */
	cr_assert_eq(pb_privkey_parse_der(der, sizeof der, &k, &e), 0, "%s", e.msg);
}
