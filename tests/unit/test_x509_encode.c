/* tests/unit/test_x509_encode.c - names, certificate and CSR encoders,
 * proven by the openssl CLI reading and verifying what we write. */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/pki/csr.h"
#include "core/asn1/name.h"
#include "core/asn1/oid.h"
#include "core/pki/x509.h"

#include "tests/unit/tmpdir_run.h"

TestSuite(x509_encode, .init = mk, .fini = rm);
TestSuite(name);

static void name_der(const char *text, uint8_t *der, size_t *len)
{
	pb_err e;
	cr_assert_eq(pb_name_from_text(text, der, 512, len, &e), 0, "%s: %s", text, e.msg);
}

/* ------------------------------------------------------------------ */

Test(name, text_round_trips) {
	const char *t[] = {
		"/CN=Device Sub CA", "/C=DE/O=trustme/OU=Dev/CN=x", "/CN=serial:2026-0001",
		"/serialNumber=ABC 123/CN=a\\/b", "/CN=Ümlaut €", "/emailAddress=a@b.example",
		"/L=Munich/ST=Bavaria/CN=a\\\\b\\+c",
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		uint8_t der[512];
		char back[256];
		size_t n;
		pb_err e;
		name_der(t[i], der, &n);
		cr_assert_eq(pb_name_check(der, n, &e), 0, "%s", e.msg);
		cr_assert_eq(pb_name_to_text(der, n, back, sizeof back, &e), 0, "%s", e.msg);
		cr_assert_str_eq(back, t[i]);
	}
}

Test(name, uses_printable_for_c_and_serial_utf8_otherwise) {
	uint8_t der[512];
	size_t n;
	const uint8_t *v;
	size_t vl;
	name_der("/C=DE/serialNumber=42/CN=x", der, &n);
	/* SET { SEQ { OID 2.5.4.6, PrintableString "DE" } } */
	cr_assert(memmem(der, n, "\x06\x03\x55\x04\x06\x13\x02" "DE", 9) != NULL);
	cr_assert(memmem(der, n, "\x06\x03\x55\x04\x05\x13\x02" "42", 9) != NULL);
	cr_assert(memmem(der, n, "\x06\x03\x55\x04\x03\x0C\x01x", 8) != NULL);
	cr_assert(pb_name_find(der, n, OID(OID_AT_CN), &v, &vl));
	cr_assert_eq(vl, 1);
	cr_assert_eq(v[0], 'x');
	cr_assert_not(pb_name_find(der, n, OID(OID_AT_OU), &v, &vl));
}

Test(name, rejects_bad_text) {
	const char *bad[] = {
		"CN=x", "/", "/CN", "/CN=", "/XX=y", "/C=DEU", "/C=D", "/serialNumber=a_b", "/CN=x/",
		"/CN=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		uint8_t der[512];
		size_t n;
		pb_err e;
		cr_assert_eq(pb_name_from_text(bad[i], der, sizeof der, &n, &e), PB_EUSAGE, "'%s' accepted", bad[i]);
	}
}

Test(name, openssl_reads_our_names) {
	/* a name openssl writes for the same -subj text is byte-identical */
	char out[4096];
	uint8_t der[512];
	size_t n;
	mk();
	name_der("/C=DE/O=trustme/CN=serial:2026", der, &n);
	cr_assert_eq(run(out, sizeof out, "openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
		"-nodes -keyout k.pem -subj '/C=DE/O=trustme/CN=serial:2026' -outform DER -out r.der"), 0, "%s", out);
	cr_assert_eq(run(out, sizeof out, "cat r.der | od -An -v -tx1 | tr -d ' \\n'"), 0);
	char hex[1100] = "";
	for (size_t i = 0; i < n; i++)
		sprintf(hex + 2 * i, "%02x", der[i]);
	cr_assert(strstr(out, hex) != NULL, "our name %s not in openssl's CSR", hex);
	rm();
}

/* ------------------------------------------------------------------ */

typedef struct ca {
	pb_privkey key;
	pb_signer signer;
	uint8_t name[512];
	size_t name_len;
	uint8_t der[PB_X509_MAX];
	size_t der_len;
} ca;

static void make_cert(const pb_cert_tmpl *t0, const pb_signer *s, uint8_t *der, size_t *len)
{
	pb_err e;
	cr_assert_eq(pb_x509_encode(t0, s, der, PB_X509_MAX, len, &e), 0, "%s", e.msg);
}

static void base_tmpl(pb_cert_tmpl *t, uint8_t serial[16], const uint8_t *issuer, size_t ilen,
	const uint8_t *subject, size_t slen, const pb_pubkey *key)
{
	pb_err e;
	memset(t, 0, sizeof *t);
	cr_assert_eq(pb_x509_random_serial(serial, &e), 0);
	t->serial = serial;
	t->serial_len = 16;
	t->issuer = issuer;
	t->issuer_len = ilen;
	t->subject = subject;
	t->subject_len = slen;
	t->not_before = time(NULL);
	t->not_after = t->not_before + 86400 * 30;
	t->subject_key = key;
	t->pathlen = -1;
}

/* A CA certificate for c, signed by parent (NULL: self-signed). */
static void make_ca(ca *c, const ca *parent, pb_alg alg, const char *subject, int pathlen)
{
	pb_err e;
	pb_cert_tmpl t;
	uint8_t serial[16];
	cr_assert_eq(pb_privkey_generate(alg, &c->key, &e), 0, "%s", e.msg);
	pb_signer_from_privkey(&c->signer, &c->key);
	name_der(subject, c->name, &c->name_len);
	if (parent == NULL)
		parent = c;
	base_tmpl(&t, serial, parent->name, parent->name_len, c->name, c->name_len, &c->key.pub);
	t.is_ca = 1;
	t.pathlen = pathlen;
	t.key_usage = PB_KU_KEY_CERT_SIGN | PB_KU_CRL_SIGN;
	make_cert(&t, &parent->signer, c->der, &c->der_len);
}

static void make_root(ca *c, pb_alg alg, const char *subject)
{
	make_ca(c, NULL, alg, subject, 1);
}

static void chain_for(pb_alg alg)
{
	static ca root, sub;
	char out[8192];
	uint8_t leafname[512], leaf[PB_X509_MAX];
	size_t lnlen, leaflen;
	pb_privkey lk;
	pb_cert_tmpl t;
	uint8_t serial[16];
	pb_err e;
	const char *dns = "device.example", *uri = "urn:provbox:dev:1";
	pb_general_name san[2] = {
		{PB_GN_DNS, (const uint8_t *)dns, strlen(dns)}, {PB_GN_URI, (const uint8_t *)uri, strlen(uri)}
	};

	make_root(&root, alg, "/C=DE/O=trustme/CN=General Root CA");
	make_ca(&sub, &root, alg, "/C=DE/O=trustme/CN=Device Sub CA", 0);
	cr_assert_eq(pb_privkey_generate(alg, &lk, &e), 0);
	name_der("/CN=serial:2026-0001", leafname, &lnlen);
	base_tmpl(&t, serial, sub.name, sub.name_len, leafname, lnlen, &lk.pub);
	t.key_usage = PB_KU_DIGITAL_SIGNATURE;
	t.ext_key_usage = PB_EKU_CLIENT_AUTH | PB_EKU_SERVER_AUTH;
	t.san = san;
	t.san_count = 2;
	make_cert(&t, &sub.signer, leaf, &leaflen);
	put_file("root.der", root.der, root.der_len);
	put_file("sub.der", sub.der, sub.der_len);
	put_file("leaf.der", leaf, leaflen);
	/* "|| exit": a loop's status is only its last command's */
	cr_assert_eq(run(out, sizeof out, "for f in root sub leaf; do "
		"openssl x509 -inform DER -in $f.der -out $f.pem || exit 1; done"), 0, "%s", out);

	cr_assert_eq(run(out, sizeof out, "openssl x509 -noout -text -in root.pem"), 0, "%s", out);
	cr_assert(strstr(out, "CA:TRUE, pathlen:1"), "%s", out);
	cr_assert(strstr(out, "Certificate Sign, CRL Sign"), "%s", out);
	cr_assert(strstr(out, "Subject: C = DE, O = trustme, CN = General Root CA"), "%s", out);
	cr_assert_eq(run(out, sizeof out, "openssl x509 -noout -text -in leaf.pem"), 0, "%s", out);
	cr_assert(strstr(out, "Version: 3 (0x2)"), "%s", out);
	cr_assert(strstr(out, "CA:FALSE"), "%s", out);
	cr_assert(strstr(out, "X509v3 Key Usage: critical"), "%s", out);
	cr_assert(strstr(out, "Digital Signature\n"), "%s", out);
	cr_assert(strstr(out, "TLS Web Server Authentication, TLS Web Client Authentication"), "%s", out);
	cr_assert(strstr(out, "DNS:device.example, URI:urn:provbox:dev:1"), "%s", out);
	cr_assert(strstr(out, pb_alg_is_ec(alg) ? (alg == PB_ALG_EC_P384 ? "ecdsa-with-SHA384" :
		"ecdsa-with-SHA256") : "sha256WithRSAEncryption"), "%s", out);
	/* SKI of the sub CA = AKI of the leaf */
	cr_assert_eq(run(out, sizeof out,
		"a=$(openssl x509 -noout -ext subjectKeyIdentifier -in sub.pem | tail -1);"
		"b=$(openssl x509 -noout -ext authorityKeyIdentifier -in leaf.pem | tail -1 | sed 's/keyid://');"
		"[ -n \"$a\" ] && [ $(echo $a) = $(echo $b) ]"), 0, "%s", out);
	cr_assert_eq(run(out, sizeof out, "openssl verify -x509_strict -CAfile root.pem -untrusted sub.pem leaf.pem"),
		0, "%s", out);
	/* a tampered leaf is refused */
	leaf[leaflen - 5] ^= 1;
	put_file("bad.der", leaf, leaflen);
	cr_assert_eq(run(out, sizeof out, "openssl x509 -inform DER -in bad.der -out bad.pem"), 0,
		"openssl cannot read the tampered leaf, so it proves nothing: %s", out);
	cr_assert_eq(run(out, sizeof out, "openssl verify -CAfile root.pem -untrusted sub.pem bad.pem"),
		2, "%s", out);
	cr_assert_not_null(strstr(out, "certificate signature failure"), "%s", out);
	pb_privkey_wipe(&lk);
	pb_privkey_wipe(&root.key);
	pb_privkey_wipe(&sub.key);
}

Test(x509_encode, chain_ec_p256_verifies) { chain_for(PB_ALG_EC_P256); }
Test(x509_encode, chain_ec_p384_verifies) { chain_for(PB_ALG_EC_P384); }
Test(x509_encode, chain_rsa_2048_verifies) { chain_for(PB_ALG_RSA_2048); }
Test(x509_encode, chain_rsa_3072_verifies, .timeout = 120) { chain_for(PB_ALG_RSA_3072); }

Test(x509_encode, serials_are_16_bytes_positive_and_random) {
	uint8_t a[16], b[16];
	pb_err e;
	for (int i = 0; i < 64; i++) {
		cr_assert_eq(pb_x509_random_serial(a, &e), 0);
		cr_assert_eq(a[0] & 0xC0, 0x40);
	}
	cr_assert_eq(pb_x509_random_serial(b, &e), 0);
	cr_assert_neq(memcmp(a, b, 16), 0);
}

Test(x509_encode, times_follow_the_2050_rule) {
	static ca root;
	pb_cert_tmpl t;
	uint8_t serial[16], der[PB_X509_MAX];
	size_t n;
	char out[4096];
	make_root(&root, PB_ALG_EC_P256, "/CN=t");
	base_tmpl(&t, serial, root.name, root.name_len, root.name, root.name_len, &root.key.pub);
	t.not_before = 2524607999;   /* 2049-12-31 23:59:59: UTCTime */
	t.not_after = 2524608000;    /* 2050-01-01 00:00:00: GeneralizedTime */
	make_cert(&t, &root.signer, der, &n);
	cr_assert(memmem(der, n, "\x17\x0d" "491231235959Z", 15));
	cr_assert(memmem(der, n, "\x18\x0f" "20500101000000Z", 17));
	put_file("t.der", der, n);
	cr_assert_eq(run(out, sizeof out, "openssl x509 -inform DER -in t.der -noout -dates"), 0, "%s", out);
	cr_assert(strstr(out, "notAfter=Jan  1 00:00:00 2050 GMT"), "%s", out);
	pb_privkey_wipe(&root.key);
}

Test(x509_encode, refuses_inconsistent_templates) {
	static ca root;
	pb_cert_tmpl t;
	uint8_t serial[16], der[PB_X509_MAX];
	size_t n;
	pb_err e;
	make_root(&root, PB_ALG_EC_P256, "/CN=t");
	base_tmpl(&t, serial, root.name, root.name_len, root.name, root.name_len, &root.key.pub);
	t.pathlen = 0;   /* not a CA */
	cr_assert_eq(pb_x509_encode(&t, &root.signer, der, sizeof der, &n, &e), PB_EUSAGE);
	t.pathlen = -1;
	t.not_after = t.not_before - 1;
	cr_assert_eq(pb_x509_encode(&t, &root.signer, der, sizeof der, &n, &e), PB_EUSAGE);
	t.not_after = t.not_before + 1;
	serial[0] = 0x80;
	cr_assert_eq(pb_x509_encode(&t, &root.signer, der, sizeof der, &n, &e), PB_EUSAGE);
	serial[0] = 0x40;
	cr_assert_eq(pb_x509_encode(&t, &root.signer, der, 100, &n, &e), PB_EFAIL);
	pb_privkey_wipe(&root.key);
}

static void csr_for(pb_alg alg, int with_san)
{
	pb_privkey k;
	pb_signer s;
	uint8_t name[512], der[PB_CSR_MAX];
	size_t nlen, n;
	pb_err e;
	char out[8192];
	const char *dns = "dev1.example";
	pb_general_name san = {PB_GN_DNS, (const uint8_t *)dns, strlen(dns)};

	cr_assert_eq(pb_privkey_generate(alg, &k, &e), 0);
	pb_signer_from_privkey(&s, &k);
	name_der("/O=trustme/CN=serial:2026-0001", name, &nlen);
	cr_assert_eq(pb_csr_encode(name, nlen, with_san ? &san : NULL, with_san, &s, der, sizeof der, &n, &e),
		0, "%s", e.msg);
	put_file("r.der", der, n);
	cr_assert_eq(run(out, sizeof out, "openssl req -inform DER -in r.der -verify -noout -text"), 0, "%s", out);
	cr_assert(strstr(out, "verify OK") && !strstr(out, "failure"), "%s", out);
	cr_assert(strstr(out, "Subject: O = trustme, CN = serial:2026-0001"), "%s", out);
	if (with_san)
		cr_assert(strstr(out, "DNS:dev1.example"), "%s", out);
	/* a flipped bit in the subject (signed, still well-formed) fails
	 * openssl's check */
	uint8_t *cn = memmem(der, n, "serial:2026-0001", 16);
	cr_assert_not_null(cn);
	cn[0] ^= 0x01;
	put_file("bad.der", der, n);
	/* openssl 3.0 exits 0 on a bad self-signature, later ones 1; any other
	 * status, or no "verify failure" (it could not read the file), fails */
	int st = run(out, sizeof out, "openssl req -inform DER -in bad.der -verify -noout");
	cr_assert(st == 0 || st == 1, "openssl exit %d: %s", st, out);
	cr_assert_not_null(strstr(out, "self-signature verify failure"), "%s", out);
	cr_assert_null(strstr(out, "verify OK"), "%s", out);
	pb_privkey_wipe(&k);
}

Test(x509_encode, csr_ec_p256_verifies) { csr_for(PB_ALG_EC_P256, 0); }
Test(x509_encode, csr_ec_p384_with_san_verifies) { csr_for(PB_ALG_EC_P384, 1); }
Test(x509_encode, csr_rsa_2048_verifies) { csr_for(PB_ALG_RSA_2048, 1); }

static int failing_sign(void *ctx, const uint8_t *d, size_t dl, uint8_t *sig, size_t cap, size_t *sl, pb_err *e)
{
	(void)ctx; (void)d; (void)dl; (void)sig; (void)cap; (void)sl;
	return pb_fail(e, PB_EAUTH, "TPM: wrong authorization");
}

Test(x509_encode, signer_errors_are_passed_on) {
	pb_privkey k;
	pb_signer s;
	uint8_t name[512], der[PB_CSR_MAX];
	size_t nlen, n;
	pb_err e;
	cr_assert_eq(pb_privkey_generate(PB_ALG_EC_P256, &k, &e), 0);
	pb_signer_from_privkey(&s, &k);
	s.sign = failing_sign;
	name_der("/CN=x", name, &nlen);
	cr_assert_eq(pb_csr_encode(name, nlen, NULL, 0, &s, der, sizeof der, &n, &e), PB_EAUTH);
	cr_assert_str_eq(e.msg, "signing: TPM: wrong authorization");
	pb_privkey_wipe(&k);
}
