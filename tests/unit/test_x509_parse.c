/* tests/unit/test_x509_parse.c - our certificate, CSR and EFI signature
 * list parsers, on files openssl and efitools make in the test. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "core/pki/csr.h"
#include "core/pki/esl.h"
#include "core/asn1/name.h"
#include "core/asn1/oid.h"
#include "core/pki/x509.h"

#include "tests/unit/tmpdir_run.h"

TestSuite(x509_parse, .init = mk, .fini = rm);

static uint8_t buf[PB_X509_MAX], scratch[PB_X509_MAX];

static void load_cert(const char *file, pb_x509 *c)
{
	pb_err e;
	size_t n = get_file(file, buf, sizeof buf);
	cr_assert_eq(pb_x509_load(buf, n, scratch, sizeof scratch, c, &e), 0, "%s: %s", file, e.msg);
}

/* What openssl prints for one field, the "name=" prefix cut. */
static void field(const char *cmd, char *out, size_t cap)
{
	cr_assert_eq(run(out, cap, "%s", cmd), 0, "%s: %s", cmd, out);
	char *eq = strchr(out, '=');
	if (eq)
		memmove(out, eq + 1, strlen(eq));
	out[strcspn(out, "\n")] = '\0';
}

static void hex_upper(const uint8_t *p, size_t n, const char *sep, char *out)
{
	out[0] = '\0';
	for (size_t i = 0; i < n; i++)
		sprintf(out + strlen(out), "%s%02X", i && *sep ? sep : "", p[i]);
}

static void openssl_cert_matches(const char *keyopt, pb_alg alg, pb_hash h)
{
	pb_x509 c;
	char want[2048], got[2048];
	pb_err e;

	cr_assert_eq(run(want, sizeof want,
		"openssl req -x509 -newkey %s -nodes -keyout k.pem -subj '/C=DE/O=Ac me/OU=x\\/y/CN=hello' "
		"-addext 'subjectAltName=DNS:a.example,URI:urn:x' "
		"-addext 'keyUsage=critical,digitalSignature,keyCertSign' "
		"-addext 'extendedKeyUsage=serverAuth,codeSigning' "
		"-addext 'basicConstraints=critical,CA:TRUE,pathlen:2' -days 3 -out c.pem", keyopt), 0, "%s", want);
	load_cert("c.pem", &c);
	cr_assert_eq(c.version, 3);
	cr_assert_eq(c.pub.alg, alg);
	cr_assert_eq(c.sig_hash, h);
	field("openssl x509 -in c.pem -noout -subject -nameopt compat", want, sizeof want);
	cr_assert_eq(pb_name_to_text(c.subject, c.subject_len, got, sizeof got, &e), 0);
	cr_assert_str_eq(got, want);
	cr_assert_eq(pb_name_to_text(c.issuer, c.issuer_len, got, sizeof got, &e), 0);
	cr_assert_str_eq(got, want);
	field("openssl x509 -in c.pem -noout -serial", want, sizeof want);
	hex_upper(c.serial, c.serial_len, "", got);
	cr_assert_str_eq(got, want);
	field("openssl x509 -in c.pem -noout -startdate -dateopt iso_8601", want, sizeof want);
	pb_time_text(c.not_before, got, sizeof got);
	cr_assert_eq(strncmp(got, want, 19), 0, "%s vs %s", got, want);
	field("openssl x509 -in c.pem -noout -enddate -dateopt iso_8601", want, sizeof want);
	pb_time_text(c.not_after, got, sizeof got);
	cr_assert_eq(strncmp(got, want, 19), 0, "%s vs %s", got, want);
	cr_assert_eq(c.has, PB_X509_HAS_BC | PB_X509_HAS_KU | PB_X509_HAS_EKU | PB_X509_HAS_SKI |
		PB_X509_HAS_AKI | PB_X509_HAS_SAN);
	cr_assert_eq(c.critical, PB_X509_HAS_BC | PB_X509_HAS_KU);
	cr_assert(c.is_ca);
	cr_assert_eq(c.pathlen, 2);
	cr_assert_eq(c.key_usage, PB_KU_DIGITAL_SIGNATURE | PB_KU_KEY_CERT_SIGN);
	cr_assert_eq(c.ext_key_usage, PB_EKU_SERVER_AUTH | PB_EKU_CODE_SIGNING);
	cr_assert_eq(run(want, sizeof want, "openssl x509 -in c.pem -noout -ext subjectKeyIdentifier | tail -1 | tr -d ' '"), 0);
	want[strcspn(want, "\n")] = '\0';
	hex_upper(c.ski, c.ski_len, ":", got);
	cr_assert_str_eq(got, want);
	cr_assert_eq(c.aki_len, c.ski_len);
	cr_assert_eq(memcmp(c.aki, c.ski, c.ski_len), 0);
	size_t pos = 0;
	pb_general_name gn;
	cr_assert(pb_x509_san_next(c.san, c.san_len, &pos, &gn));
	cr_assert_eq(gn.type, PB_GN_DNS);
	cr_assert_eq(gn.len, 9);
	cr_assert_eq(memcmp(gn.val, "a.example", 9), 0);
	cr_assert(pb_x509_san_next(c.san, c.san_len, &pos, &gn));
	cr_assert_eq(gn.type, PB_GN_URI);
	cr_assert_not(pb_x509_san_next(c.san, c.san_len, &pos, &gn));
	/* self-signed: verifies under its own key, not under another */
	cr_assert_eq(pb_x509_verify(&c, &c.pub, &e), 0, "%s", e.msg);
	pb_privkey other;
	cr_assert_eq(pb_privkey_generate(alg, &other, &e), 0);
	cr_assert_eq(pb_x509_verify(&c, &other.pub, &e), PB_EVERIFY);
	pb_privkey_wipe(&other);
	/* the public key is the one in k.pem */
	cr_assert_eq(run(NULL, 0, "openssl pkey -in k.pem -pubout -outform DER -out pub.der"), 0);
	uint8_t spki[1024];
	size_t n = get_file("pub.der", spki, sizeof spki);
	cr_assert_eq(n, c.spki_len);
	cr_assert_eq(memcmp(spki, c.spki, n), 0);
}

Test(x509_parse, reads_openssl_p256_cert) { openssl_cert_matches("ec -pkeyopt ec_paramgen_curve:P-256", PB_ALG_EC_P256, PB_HASH_SHA256); }
Test(x509_parse, reads_openssl_p384_cert) { openssl_cert_matches("ec -pkeyopt ec_paramgen_curve:P-384 -sha384", PB_ALG_EC_P384, PB_HASH_SHA384); }
Test(x509_parse, reads_openssl_rsa2048_cert) { openssl_cert_matches("rsa:2048", PB_ALG_RSA_2048, PB_HASH_SHA256); }

/* A certificate of about 20 KB (a long private extension, as some vendors
 * add): its PEM block used to be reported as "no CERTIFICATE PEM block". */
Test(x509_parse, reads_a_20k_certificate_and_names_a_too_large_block) {
	static uint8_t pem[3 * PB_X509_MAX], der[2 * PB_X509_MAX], sc[PB_X509_MAX];
	char out[512];
	pb_x509 c;
	pb_err e;

	cr_assert_eq(run(out, sizeof out, "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
		"-nodes -keyout big.key -subj /CN=big -days 1 -addext \"1.2.3.4=ASN1:UTF8String:"
		"$(head -c 19500 /dev/zero | tr '\\0' a)\" -out big.pem && "
		"openssl x509 -in big.pem -outform DER -out big.der"), 0, "%s", out);
	size_t n = get_file("big.pem", pem, sizeof pem), dn = get_file("big.der", der, sizeof der);
	cr_assert_gt(dn, 19500, "not a 20 KB certificate: %zu bytes", dn);
	cr_assert_gt(dn, 16384, "must exceed the old limit");

	cr_assert_eq(pb_x509_load(pem, n, sc, sizeof sc, &c, &e), 0, "%s", e.msg);
	cr_assert_eq(c.der_len, dn);
	cr_assert_eq(memcmp(c.der, der, dn), 0);
	cr_assert_eq(pb_x509_load(der, dn, sc, sizeof sc, &c, &e), 0, "DER: %s", e.msg);

	/* a buffer too small says so, it does not claim there is no block */
	cr_assert_eq(pb_x509_load(pem, n, sc, 16384, &c, &e), PB_EFAIL);
	cr_assert_not_null(strstr(e.msg, "CERTIFICATE block too large"), "%s", e.msg);
}

Test(x509_parse, reads_openssl_v1_cert_without_extensions) {
	pb_x509 c;
	pb_err e;
	cr_assert_eq(run(NULL, 0, "openssl req -new -newkey rsa:2048 -nodes -keyout k.pem -subj /CN=v1 -out r.pem && "
		"openssl x509 -req -in r.pem -key k.pem -days 1 -out c.pem"), 0);
	load_cert("c.pem", &c);
	cr_assert(c.version == 1 || c.version == 3);
	cr_assert_eq(pb_x509_verify(&c, &c.pub, &e), 0, "%s", e.msg);
}

/* A fresh P-256 key signing for itself, a name and a serial. */
static void self_signer(pb_privkey *k, pb_signer *s, uint8_t *name, size_t *nlen, uint8_t serial[16])
{
	pb_err e;
	cr_assert_eq(pb_privkey_generate(PB_ALG_EC_P256, k, &e), 0);
	pb_signer_from_privkey(s, k);
	cr_assert_eq(pb_name_from_text("/O=o/CN=c", name, 256, nlen, &e), 0);
	cr_assert_eq(pb_x509_random_serial(serial, &e), 0);
}

Test(x509_parse, reads_back_every_field_we_write) {
	pb_privkey k;
	pb_signer s;
	pb_cert_tmpl t;
	uint8_t name[256], serial[16], der[PB_X509_MAX];
	size_t nlen, n;
	pb_x509 c;
	pb_err e;
	pb_general_name san = {PB_GN_URI, (const uint8_t *)"urn:dev:7", 9};
	uint8_t aki[4] = {1, 2, 3, 4};

	self_signer(&k, &s, name, &nlen, serial);
	t = (pb_cert_tmpl){serial, 16, name, nlen, name, nlen, 1700000000, 1800000000, &k.pub,
		1, 0, PB_KU_KEY_CERT_SIGN | PB_KU_CRL_SIGN, PB_EKU_CLIENT_AUTH, aki, 4, &san, 1};
	cr_assert_eq(pb_x509_encode(&t, &s, der, sizeof der, &n, &e), 0, "%s", e.msg);
	cr_assert_eq(pb_x509_parse(der, n, &c, &e), 0, "%s", e.msg);
	cr_assert_eq(c.serial_len, 16);
	cr_assert_eq(memcmp(c.serial, serial, 16), 0);
	cr_assert_eq(c.not_before, 1700000000);
	cr_assert_eq(c.not_after, 1800000000);
	cr_assert(c.is_ca);
	cr_assert_eq(c.pathlen, 0);
	cr_assert_eq(c.key_usage, PB_KU_KEY_CERT_SIGN | PB_KU_CRL_SIGN);
	cr_assert_eq(c.ext_key_usage, PB_EKU_CLIENT_AUTH);
	cr_assert_eq(c.aki_len, 4);
	cr_assert(pb_pubkey_equal(&c.pub, &k.pub));
	cr_assert_eq(pb_x509_verify(&c, &k.pub, &e), 0, "%s", e.msg);
	/* every truncation and every trailing byte is refused */
	for (size_t cut = 0; cut < n; cut += 7)
		cr_assert_eq(pb_x509_parse(der, cut, &c, &e), PB_EVERIFY, "cut at %zu accepted", cut);
	der[n] = 0;
	cr_assert_eq(pb_x509_parse(der, n + 1, &c, &e), PB_EVERIFY);
	/* one flipped bit in the signed part: parses or not, never verifies */
	for (size_t i = 4; i < c.tbs_len; i += 13) {
		der[i] ^= 0x10;
		cr_assert(pb_x509_parse(der, n, &c, &e) != 0 || pb_x509_verify(&c, &k.pub, &e) == PB_EVERIFY);
		der[i] ^= 0x10;
	}
	pb_privkey_wipe(&k);
}

Test(x509_parse, refuses_duplicate_extensions) {
	/* openssl writes what it is told: two SKIs via -addext is refused by
	 * openssl itself, so build one by hand by copying our encoder's SKI */
	pb_privkey k;
	pb_signer s;
	pb_cert_tmpl t;
	uint8_t name[256], serial[16], der[PB_X509_MAX];
	size_t nlen, n;
	pb_x509 c;
	pb_err e;

	self_signer(&k, &s, name, &nlen, serial);
	t = (pb_cert_tmpl){serial, 16, name, nlen, name, nlen, 1700000000, 1800000000, &k.pub,
		0, -1, 0, 0, NULL, 0, NULL, 0};
	cr_assert_eq(pb_x509_encode(&t, &s, der, sizeof der, &n, &e), 0, "%s", e.msg);
	/* rename the AKI extension's OID (2.5.29.35) to SKI's (2.5.29.14):
	 * lengths stay, the structure stays, the OID repeats */
	uint8_t *aki = memmem(der, n, "\x06\x03\x55\x1d\x23", 5);
	cr_assert_not_null(aki);
	aki[4] = 0x0e;
	cr_assert_eq(pb_x509_parse(der, n, &c, &e), PB_EVERIFY);
	pb_privkey_wipe(&k);
}

static void load_csr(const char *file, pb_csr *c)
{
	pb_err e;
	size_t n = get_file(file, buf, sizeof buf);
	cr_assert_eq(pb_csr_load(buf, n, scratch, sizeof scratch, c, &e), 0, "%s: %s", file, e.msg);
}

Test(x509_parse, reads_and_verifies_openssl_csrs) {
	const char *keys[] = {"ec -pkeyopt ec_paramgen_curve:P-256", "ec -pkeyopt ec_paramgen_curve:P-384", "rsa:2048"};
	for (size_t i = 0; i < 3; i++) {
		pb_csr c;
		pb_err e;
		char want[1024], got[1024];
		cr_assert_eq(run(want, sizeof want, "openssl req -new -newkey %s -nodes -keyout k.pem "
			"-subj '/O=trustme/CN=serial:2026-1' -addext 'subjectAltName=DNS:dev.example' -out r.pem",
			keys[i]), 0, "%s", want);
		load_csr("r.pem", &c);
		cr_assert_eq(pb_csr_verify(&c, &e), 0, "%s", e.msg);
		cr_assert_eq(pb_name_to_text(c.subject, c.subject_len, got, sizeof got, &e), 0);
		cr_assert_str_eq(got, "/O=trustme/CN=serial:2026-1");
		pb_general_name gn;
		size_t pos = 0;
		cr_assert(pb_x509_san_next(c.san, c.san_len, &pos, &gn));
		cr_assert_eq(gn.type, PB_GN_DNS);
		cr_assert_eq(memcmp(gn.val, "dev.example", 11), 0);
		cr_assert_eq(run(NULL, 0, "openssl pkey -in k.pem -pubout -outform DER -out pub.der"), 0);
		uint8_t spki[1024];
		size_t n = get_file("pub.der", spki, sizeof spki);
		cr_assert_eq(n, c.spki_len);
		cr_assert_eq(memcmp(spki, c.spki, n), 0);
	}
}

Test(x509_parse, refuses_a_csr_with_a_bad_signature) {
	pb_csr c;
	pb_err e;
	size_t n;
	cr_assert_eq(run(NULL, 0, "openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
		"-keyout k.pem -subj /CN=ab -outform DER -out r.der"), 0);
	n = get_file("r.der", buf, sizeof buf);
	/* CN "ab" -> "ac": still well-formed, no longer what was signed */
	uint8_t *cn = memmem(buf, n, "\x0c\x02" "ab", 4);
	cr_assert_not_null(cn);
	cn[3] = 'c';
	cr_assert_eq(pb_csr_parse(buf, n, &c, &e), 0, "%s", e.msg);
	cr_assert_eq(pb_csr_verify(&c, &e), PB_EVERIFY);
	cr_assert(strstr(e.msg, "CSR"), "%s", e.msg);
	for (size_t cut = 0; cut < n; cut += 5)
		cr_assert_eq(pb_csr_parse(buf, cut, &c, &e), PB_EVERIFY);
}

Test(x509_parse, a_certificate_is_not_a_csr) {
	pb_csr r;
	pb_x509 c;
	pb_err e;
	size_t n;
	cr_assert_eq(run(NULL, 0, "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
		"-keyout k.pem -subj /CN=x -outform DER -out c.der"), 0);
	n = get_file("c.der", buf, sizeof buf);
	cr_assert_eq(pb_csr_parse(buf, n, &r, &e), PB_EVERIFY);
	cr_assert_eq(pb_x509_parse(buf, n, &c, &e), 0);
}

Test(x509_parse, esl_is_byte_identical_to_efitools) {
	static const char *owner = "12345678-9abc-def0-1234-56789abcdef0";
	uint8_t g[PB_GUID_LEN], esl[PB_X509_MAX + 64], theirs[PB_X509_MAX + 64];
	char text[37];
	pb_err e;
	pb_x509 c;
	size_t n, m;

	cr_assert_eq(pb_guid_parse(owner, g, &e), 0);
	pb_guid_text(g, text);
	cr_assert_str_eq(text, owner);
	cr_assert_eq(run(NULL, 0, "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
		"-keyout k.pem -subj /CN=db -out c.pem && cert-to-efi-sig-list -g %s c.pem c.esl", owner), 0);
	load_cert("c.pem", &c);
	cr_assert_eq(pb_esl_encode_x509(c.der, c.der_len, g, esl, sizeof esl, &n, &e), 0);
	m = get_file("c.esl", theirs, sizeof theirs);
	cr_assert_eq(n, m);
	cr_assert_eq(memcmp(esl, theirs, n), 0);

	pb_esl l;
	size_t pos = 0;
	const uint8_t *own, *data;
	size_t dl;
	cr_assert_eq(pb_esl_next(theirs, m, &pos, &l, &e), 1);
	cr_assert_eq(memcmp(l.type, pb_efi_cert_x509_guid, 16), 0);
	cr_assert_eq(l.count, 1);
	pb_esl_sig(&l, 0, &own, &data, &dl);
	cr_assert_eq(memcmp(own, g, 16), 0);
	cr_assert_eq(dl, c.der_len);
	cr_assert_eq(pb_esl_next(theirs, m, &pos, &l, &e), 0);
	for (size_t cut = 1; cut < m; cut += 11) {
		pos = 0;
		cr_assert_eq(pb_esl_next(theirs, cut, &pos, &l, &e), -1);
	}
	cr_assert_eq(pb_guid_parse("12345678-9abc-def0-1234-56789abcdef", g, &e), PB_EUSAGE);
	cr_assert_eq(pb_guid_parse("12345678x9abc-def0-1234-56789abcdef0", g, &e), PB_EUSAGE);
}
