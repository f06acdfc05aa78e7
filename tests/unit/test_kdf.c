/* tests/unit/test_kdf.c - PBKDF2, the PKCS#12 KDF, HKDF, password forms
 * and RFC 5649 key wrap against published known answers (each also
 * reproduced with `openssl kdf` / `openssl enc -id-aesNNN-wrap-pad`). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "core/crypto/kdf.h"
#include "core/crypto/keywrap.h"

static size_t unhex(const char *h, uint8_t *out)
{
	size_t n = 0;
	unsigned v;

	while (h[0] && h[1] && sscanf(h, "%2x", &v) == 1)
		out[n++] = (uint8_t)v, h += 2;
	return n;
}

static void assert_hex(const uint8_t *got, size_t len, const char *want)
{
	uint8_t w[256];
	size_t n = unhex(want, w);

	cr_assert_eq(n, len, "length %zu, expected %zu", len, n);
	cr_assert(memcmp(got, w, n) == 0, "bytes differ from %s", want);
}

#define S(x) (const uint8_t *)(x), (sizeof(x) - 1)

Test(pbkdf2, rfc6070_sha1) {
	uint8_t out[25];

	pb_pbkdf2(&br_sha1_vtable, S("password"), S("salt"), 1, out, 20);
	assert_hex(out, 20, "0c60c80f961f0e71f3a9b524af6012062fe037a6");
	pb_pbkdf2(&br_sha1_vtable, S("password"), S("salt"), 4096, out, 20);
	assert_hex(out, 20, "4b007901b765489abead49d926f721d065a429c1");
	/* output longer than one block */
	pb_pbkdf2(&br_sha1_vtable, S("passwordPASSWORDpassword"),
		S("saltSALTsaltSALTsaltSALTsaltSALTsalt"), 4096, out, 25);
	assert_hex(out, 25, "3d2eec4fe41c849b80c8d83662c0e44a8b291a964cf2f07038");
}

Test(pbkdf2, sha256_rfc7914_and_openssl_default) {
	uint8_t out[64], salt[8];

	pb_pbkdf2(&br_sha256_vtable, S("passwd"), S("salt"), 1, out, 64);
	assert_hex(out, 64, "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
		"49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783");
	unhex("a40d5f6093df6efc", salt);
	pb_pbkdf2(&br_sha256_vtable, S("trustme"), salt, 8, 2048, out, 32);
	assert_hex(out, 32, "7334f96999834057220a19a9081b1088e0299ac549de574f46eba9ea61719c5e");
}

static void p12kdf_is(const br_hash_class *h, const char *password, const char *salt_hex,
	uint8_t id, uint32_t iter, size_t len, const char *want)
{
	uint8_t out[64], salt[16], pw[PB_BMP_PW_MAX];
	size_t saltlen = unhex(salt_hex, salt);
	pb_secret s;
	pb_err e;

	cr_assert_eq(pb_secret_set(&s, password, &e), 0);
	cr_assert_eq(pb_p12_kdf(h, id, pw, pb_p12_password(&s, pw), salt, saltlen, iter, out, len, &e), 0);
	assert_hex(out, len, want);
}

/* The Bouncy Castle / pyca vectors ("smeg", "queeg"), SHA-1. */
Test(p12kdf, sha1_known_answers) {
	p12kdf_is(&br_sha1_vtable, "smeg", "0a58cf64530d823f", PB_P12_KDF_KEY, 1, 24,
		"8aaae6297b6cb04642ab5b077851284eb7128f1a2a7fbca3");
	p12kdf_is(&br_sha1_vtable, "smeg", "0a58cf64530d823f", PB_P12_KDF_IV, 1, 8, "79993dfe048d3b76");
	p12kdf_is(&br_sha1_vtable, "queeg", "1682c0fc5b3f7ec5", PB_P12_KDF_KEY, 1000, 24,
		"483dd6e919d7de2e8e648ba8f862f3fbfbdc2bcb2c02957f");
	p12kdf_is(&br_sha1_vtable, "queeg", "1682c0fc5b3f7ec5", PB_P12_KDF_MAC, 1000, 20,
		"022db40d747da404972b3144296ba4b80a96b1f3");
}

/* SHA-256 MAC key of an `openssl pkcs12 -export` file (HMAC under it gives
 * that file's MAC; `openssl kdf ... PKCS12KDF` agrees). */
Test(p12kdf, sha256_mac_key_like_openssl) {
	p12kdf_is(&br_sha256_vtable, "trustme", "4c3fee5bf7849546", PB_P12_KDF_MAC, 2048, 32,
		"ced18f00a423a200265cfd11269bc0f42146e56462daaef44a5315afe2f9b3d5");
}

Test(p12kdf, refuses_oversized_salt_and_zero_iterations) {
	uint8_t out[20], salt[PB_P12_SALT_MAX + 1] = {0};
	pb_err e;

	cr_assert_eq(pb_p12_kdf(&br_sha1_vtable, 1, NULL, 0, salt, sizeof salt, 1, out, 20, &e), PB_EFAIL);
	cr_assert_eq(pb_p12_kdf(&br_sha1_vtable, 1, NULL, 0, salt, 8, 0, out, 20, &e), PB_EFAIL);
}

static void bmp_is(const char *pw, const char *want)
{
	uint8_t out[PB_BMP_PW_MAX];
	pb_secret s;
	pb_err e;

	cr_assert_eq(pb_secret_set(&s, pw, &e), 0);
	assert_hex(out, pb_p12_password(&s, out), want);
}

/* OpenSSL 3's OPENSSL_utf82uni, with its fallback OPENSSL_asc2uni */
Test(p12kdf, password_bmp_form_like_openssl) {
	bmp_is("", "0000");
	bmp_is("trustme", "00740072007500730074006d00650000");
	bmp_is("p\xc3\xa4\xe2\x82\xac", "007000e420ac0000");           /* p, a-umlaut, euro */
	bmp_is("a\xf0\x9f\x98\x80" "b", "0061d83dde0000620000");        /* surrogate pair */
	bmp_is("caf\xe9", "00630061006600e90000");                      /* Latin-1: not UTF-8 */
	bmp_is("\xc0\xaf", "00c000af0000");                             /* overlong: bytes */
	bmp_is("\xed\xa0\x80", "00ed00a000800000");                     /* a surrogate: bytes */
}

Test(hkdf, rfc5869_sha256) {
	uint8_t ikm[22], salt[13], info[10], out[42];

	memset(ikm, 0x0b, sizeof ikm);
	unhex("000102030405060708090a0b0c", salt);
	unhex("f0f1f2f3f4f5f6f7f8f9", info);
	pb_hkdf_sha256(salt, sizeof salt, ikm, sizeof ikm, info, sizeof info, out, sizeof out);
	assert_hex(out, 42, "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
		"34007208d5b887185865");
	/* test case 3: no salt, no info */
	pb_hkdf_sha256(NULL, 0, ikm, sizeof ikm, "", 0, out, sizeof out);
	assert_hex(out, 42, "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"
		"9d201395faa4b61a96c8");
}

/* RFC 5649 section 6, both examples (192-bit KEK). */
Test(keywrap, rfc5649_vectors) {
	uint8_t kek[24], key[20], out[40], back[40];
	size_t n, m;
	pb_err e;

	unhex("5840df6e29b02af1ab493b705bf16ea1ae8338f4dcc176a8", kek);
	unhex("c37b7e6492584340bed12207808941155068f738", key);
	cr_assert_eq(pb_kwp_wrap(kek, 24, key, 20, out, sizeof out, &n, &e), 0);
	assert_hex(out, n, "138bdeaa9b8fa7fc61f97742e72248ee5ae6ae5360d1ae6a5f54f373fa543b6a");
	cr_assert_eq(pb_kwp_unwrap(kek, 24, out, n, back, sizeof back, &m, &e), 0, "%s", e.msg);
	assert_hex(back, m, "c37b7e6492584340bed12207808941155068f738");
	unhex("466f7250617369", key);
	cr_assert_eq(pb_kwp_wrap(kek, 24, key, 7, out, sizeof out, &n, &e), 0);
	assert_hex(out, n, "afbeb0f07dfbf5419200f2ccb50bb24f");
	cr_assert_eq(pb_kwp_unwrap(kek, 24, out, n, back, sizeof back, &m, &e), 0, "%s", e.msg);
	assert_hex(back, m, "466f7250617369");
}

Test(keywrap, aes256_like_openssl) {
	uint8_t kek[32], out[16];
	size_t n;
	pb_err e;

	for (int i = 0; i < 32; i++)
		kek[i] = (uint8_t)i;
	cr_assert_eq(pb_kwp_wrap(kek, 32, S("wrap me"), out, sizeof out, &n, &e), 0);
	assert_hex(out, n, "a57217acbc0c5cd376602f345e2a0c3a");
}

Test(keywrap, detects_wrong_kek_and_every_flipped_bit) {
	uint8_t kek[32] = {1}, other[32] = {2}, key[32], out[40], flip[40], back[40];
	size_t n, m;
	pb_err e;

	for (int i = 0; i < 32; i++)
		key[i] = (uint8_t)(i * 7);
	cr_assert_eq(pb_kwp_wrap(kek, 32, key, 32, out, sizeof out, &n, &e), 0);
	cr_assert_eq(n, 40);
	cr_assert_eq(pb_kwp_unwrap(other, 32, out, n, back, sizeof back, &m, &e), PB_EVERIFY);
	for (size_t bit = 0; bit < 8 * n; bit++) {
		memcpy(flip, out, n);
		flip[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		cr_assert_eq(pb_kwp_unwrap(kek, 32, flip, n, back, sizeof back, &m, &e), PB_EVERIFY,
			"bit %zu", bit);
	}
	cr_assert_eq(pb_kwp_unwrap(kek, 32, out, n - 8, back, sizeof back, &m, &e), PB_EVERIFY);
	cr_assert_eq(pb_kwp_unwrap(kek, 32, out, n - 1, back, sizeof back, &m, &e), PB_EVERIFY);
	cr_assert_eq(pb_kwp_unwrap(kek, 32, out, n, back, sizeof back, &m, &e), 0);
	cr_assert_eq(m, 32);
	cr_assert(memcmp(back, key, 32) == 0);
}
