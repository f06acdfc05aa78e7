/* tests/unit/test_pkcs12.c - reading what `openssl pkcs12 -export` and
 * `token create` write (the fuzz seed corpus, password "fuzz", made by
 * fuzz/corpus-pkcs12.sh) and what our own writer writes; run from the
 * repository root. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/file.h"
#include "core/pki/pkcs12.h"

#define CORPUS "fuzz/corpus/pkcs12/"

static uint8_t *buf;
static size_t len;

static void load(const char *name)
{
	char path[256];
	pb_err e;

	snprintf(path, sizeof path, CORPUS "%s.p12", name);
	cr_assert_eq(pb_file_read(path, PB_FILE_MAX, &buf, &len, &e), 0, "%s", e.msg);
}

static void unload(void)
{
	pb_file_free(buf, len);
	buf = NULL;
}

static int read_with(const char *pw, pb_p12_contents *c, pb_err *e)
{
	pb_secret s;
	pb_err e2;
	int rc;

	cr_assert_eq(pb_secret_set(&s, pw, &e2), 0);
	rc = pb_p12_read(buf, len, &s, c, e);
	pb_secret_wipe(&s);
	return rc;
}

/* key and a certificate of that key, algorithm as named */
static void opens_with_key_and_cert(const char *name, pb_alg alg)
{
	pb_p12_contents c;
	pb_err e;

	load(name);
	cr_assert_eq(read_with("fuzz", &c, &e), 0, "%s: %s", name, e.msg);
	cr_assert(c.has_key, "%s: no key", name);
	cr_assert_eq(c.key.alg, alg, "%s", name);
	cr_assert_not_null(pb_p12_key_cert(&c), "%s: no certificate of the key", name);
	cr_assert_eq(c.key_id_len, 20, "%s: localKeyId", name);
	pb_p12_contents_wipe(&c);
	unload();
}

Test(pkcs12, reads_every_supported_openssl_protection) {
	static const char *ec[] = {
		"ec-default", "ec-default-iter1", "ec-3des-sha1", "ec-3des-sha1-iter1",
		"ec-aes256-sha256-iter1", "ec-aes256-iter10000", "ec-aes128-sha512-iter1",
		"ec-pbes2-3des-iter1", "ec-2des-iter1", "ec-plain-iter1", "provbox-token-ec",
	};
	static const char *rsa[] = {
		"rsa-default", "rsa-default-iter1", "rsa-3des-sha1-iter1", "rsa-aes256-sha256-iter1",
		"provbox-token-rsa",
	};
	for (size_t i = 0; i < sizeof ec / sizeof ec[0]; i++)
		opens_with_key_and_cert(ec[i], PB_ALG_EC_P256);
	for (size_t i = 0; i < sizeof rsa / sizeof rsa[0]; i++)
		opens_with_key_and_cert(rsa[i], PB_ALG_RSA_2048);
}

Test(pkcs12, wrong_password_is_exit_4_before_any_decryption) {
	pb_p12_contents c;
	pb_err e;
	uint8_t *copy;

	load("ec-default");
	copy = malloc(len);
	memcpy(copy, buf, len);
	cr_assert_eq(read_with("fuzZ", &c, &e), PB_EAUTH);
	cr_assert(strstr(e.msg, "wrong PIN or password"), "%s", e.msg);
	cr_assert(memcmp(copy, buf, len) == 0, "the buffer was touched");
	free(copy);
	unload();
}

static void refused(const char *name, int code, const char *why)
{
	pb_p12_contents c;
	pb_err e;

	load(name);
	cr_assert_eq(read_with("fuzz", &c, &e), code, "%s: %s", name, e.msg);
	cr_assert(strstr(e.msg, why), "%s: %s", name, e.msg);
	unload();
}

Test(pkcs12, legacy_rc2_certificates_say_reexport_with_aes) {
	refused("ec-legacy-iter1", PB_EVERIFY, "pbeWithSHAAnd40BitRC2-CBC is not supported: re-export with AES");
	refused("rsa-legacy-iter1", PB_EVERIFY, "pbeWithSHAAnd40BitRC2-CBC is not supported: re-export with AES");
}

Test(pkcs12, refuses_a_file_without_mac) {
	refused("ec-nomac", PB_EVERIFY, "no MAC");
}

Test(pkcs12, chain_and_friendly_name) {
	pb_p12_contents c;
	pb_err e;
	const pb_p12_cert *kc;

	load("ec-name-chain-iter1");
	cr_assert_eq(read_with("fuzz", &c, &e), 0, "%s", e.msg);
	cr_assert_eq(c.ncerts, 2);
	cr_assert_str_eq(c.friendly_name, "fuzz token");
	kc = pb_p12_key_cert(&c);
	cr_assert_not_null(kc);
	cr_assert(kc->key_id_len == c.key_id_len && memcmp(kc->key_id, c.key_id, c.key_id_len) == 0);
	pb_p12_contents_wipe(&c);
	unload();
}

Test(pkcs12, certificate_only) {
	pb_p12_contents c;
	pb_err e;

	load("ec-certonly-iter1");
	cr_assert_eq(read_with("fuzz", &c, &e), 0, "%s", e.msg);
	cr_assert(!c.has_key);
	cr_assert_eq(c.ncerts, 1);
	cr_assert_null(pb_p12_key_cert(&c));
	unload();
}

Test(pkcs12, truncated_is_malformed) {
	pb_p12_contents c;
	pb_err e;

	load("ec-default");
	for (size_t cut = 0; cut < len; cut += 7) {
		pb_secret s;
		pb_secret_set(&s, "fuzz", &e);
		cr_assert_eq(pb_p12_read(buf, cut, &s, &c, &e), PB_EVERIFY, "cut at %zu", cut);
	}
	unload();
}

/* Our writer: read back with the same key and certificate. */
static void write_from(const char *name, const char *pw, uint32_t iter, uint8_t *out, size_t *outlen,
	pb_p12_contents *src)
{
	pb_p12_write_params p;
	const pb_p12_cert *kc;
	pb_secret s;
	pb_err e;

	load(name);
	cr_assert_eq(read_with("fuzz", src, &e), 0, "%s", e.msg);
	kc = pb_p12_key_cert(src);
	cr_assert_not_null(kc);
	p = (pb_p12_write_params){&src->key, kc->der, kc->len, "provbox token unit", iter};
	cr_assert_eq(pb_secret_set(&s, pw, &e), 0);
	cr_assert_eq(pb_p12_write(&p, &s, out, PB_P12_WRITE_MAX, outlen, &e), 0, "%s", e.msg);
}

Test(pkcs12, writes_what_it_reads) {
	static uint8_t out[PB_P12_WRITE_MAX];
	pb_p12_contents src, back;
	size_t n;
	pb_secret s;
	pb_err e;
	const pb_p12_cert *a, *b;

	for (int rsa = 0; rsa <= 1; rsa++) {
		write_from(rsa ? "rsa-default-iter1" : "ec-default-iter1", "new pin \xe2\x82\xac", 16, out, &n, &src);
		cr_assert_eq(pb_secret_set(&s, "new pin \xe2\x82\xac", &e), 0);
		cr_assert_eq(pb_p12_read(out, n, &s, &back, &e), 0, "%s", e.msg);
		cr_assert(back.has_key && pb_pubkey_equal(&back.key.pub, &src.key.pub));
		a = pb_p12_key_cert(&src);
		b = pb_p12_key_cert(&back);
		cr_assert(b && a->len == b->len && memcmp(a->der, b->der, a->len) == 0);
		cr_assert_str_eq(back.friendly_name, "provbox token unit");
		cr_assert_eq(back.key_id_len, 20);
		pb_p12_contents_wipe(&src);
		pb_p12_contents_wipe(&back);
		unload();
	}
}

/* Every single-bit change of a file we wrote fails: exit 4 (the MAC) or
 * 5 (structure); nothing decrypts. */
Test(pkcs12, every_flipped_bit_is_refused) {
	static uint8_t out[PB_P12_WRITE_MAX], copy[PB_P12_WRITE_MAX];
	pb_p12_contents src, back;
	size_t n;
	pb_secret s;
	pb_err e;

	write_from("ec-default-iter1", "pin", 1, out, &n, &src);
	pb_secret_set(&s, "pin", &e);
	for (size_t bit = 0; bit < 8 * n; bit++) {
		int rc;
		memcpy(copy, out, n);
		copy[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		rc = pb_p12_read(copy, n, &s, &back, &e);
		cr_assert(rc == PB_EAUTH || rc == PB_EVERIFY, "bit %zu: exit %d (%s)", bit, rc, e.msg);
	}
	pb_p12_contents_wipe(&src);
	unload();
}
