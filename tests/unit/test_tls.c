/* tests/unit/test_tls.c - the TLS client's pieces that need no peer:
 * error words, trust anchors and chains from openssl-made files, and the
 * HAL-backed client certificate class (choice of algorithm, signature). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "core/tls/tls.h"
#include "hal/tls_signer.h"

#include "tests/unit/tmpdir_run.h"

TestSuite(tls, .init = mk, .fini = rm);

static uint8_t buf[4 * PB_X509_MAX];

Test(tls, names_alerts_and_suites) {
	cr_assert_str_eq(pb_tls_alert_name(42), "bad_certificate");
	cr_assert_str_eq(pb_tls_alert_name(48), "unknown_ca");
	cr_assert_str_eq(pb_tls_alert_name(51), "decrypt_error");
	cr_assert_str_eq(pb_tls_alert_name(201), "unknown alert");
	cr_assert_str_eq(pb_tls_suite_name(BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384),
		"ECDHE-RSA-AES256-GCM-SHA384");
	cr_assert_str_eq(pb_tls_suite_name(0x002f), "?");
}

Test(tls, maps_errors_to_words_and_exit_codes) {
	pb_err e;

	cr_assert_eq(pb_tls_error(BR_ERR_RECV_FATAL_ALERT + 42, "h", &e), PB_EVERIFY);
	cr_assert_str_eq(e.msg, "server rejected our certificate (alert 42 bad_certificate)");
	cr_assert_eq(pb_tls_error(BR_ERR_RECV_FATAL_ALERT + 51, "h", &e), PB_EVERIFY);
	cr_assert(strstr(e.msg, "alert 51 decrypt_error"), "%s", e.msg);
	cr_assert_eq(pb_tls_error(BR_ERR_RECV_FATAL_ALERT + 70, "h", &e), PB_EFAIL);
	cr_assert(strstr(e.msg, "TLS 1.2"), "%s", e.msg);
	cr_assert_eq(pb_tls_error(BR_ERR_RECV_FATAL_ALERT + 80, "h", &e), PB_EFAIL);
	cr_assert_str_eq(e.msg, "server sent alert 80 internal_error");
	cr_assert_eq(pb_tls_error(BR_ERR_X509_NOT_TRUSTED, "h", &e), PB_EVERIFY);
	cr_assert_str_eq(e.msg, "server certificate: not signed by a trusted CA");
	cr_assert_eq(pb_tls_error(BR_ERR_X509_BAD_SERVER_NAME, "gw.example", &e), PB_EVERIFY);
	cr_assert(strstr(e.msg, "not issued for 'gw.example'"), "%s", e.msg);
	cr_assert_eq(pb_tls_error(BR_ERR_X509_EXPIRED, "h", &e), PB_EVERIFY);
	cr_assert_eq(pb_tls_error(BR_ERR_X509_BAD_TAG_VALUE, "h", &e), PB_EVERIFY);
	cr_assert(strstr(e.msg, "malformed"), "%s", e.msg);
	cr_assert_eq(pb_tls_error(BR_ERR_BAD_SIGNATURE, "h", &e), PB_EVERIFY);
	cr_assert_eq(pb_tls_error(BR_ERR_BAD_MAC, "h", &e), PB_EFAIL);
	cr_assert_eq(pb_tls_error(BR_ERR_IO, "h", &e), PB_EFAIL);
}

/* A CA (P-256) and a leaf it signs (RSA-2048), by openssl. */
static void make_pki(void)
{
	cr_assert_eq(run(NULL, 0,
		"openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key "
		"-subj /O=unit/CN=TLS-CA -days 2 -addext basicConstraints=critical,CA:TRUE -out ca.pem && "
		"openssl req -newkey rsa:2048 -nodes -keyout leaf.key -subj /CN=leaf -out leaf.csr && "
		"openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -out leaf.pem && "
		"openssl x509 -in leaf.pem -outform DER -out leaf.der && cat ca.pem leaf.pem > bundle.pem && "
		"openssl req -new -key ca.key -subj /CN=x -out only.csr"), 0);
}

Test(tls, anchors_from_a_pem_bundle) {
	pb_tls_anchors a = {0};
	pb_err e;
	size_t n;

	make_pki();
	n = get_file("bundle.pem", buf, sizeof buf);
	cr_assert_eq(pb_tls_anchors_add(&a, buf, n, "bundle.pem", &e), 0, "%s", e.msg);
	cr_assert_eq(a.n, 2);
	cr_assert_eq(a.ta[0].flags, BR_X509_TA_CA);
	cr_assert_eq(a.ta[0].pkey.key_type, BR_KEYTYPE_EC);
	cr_assert_eq(a.ta[0].pkey.key.ec.curve, BR_EC_secp256r1);
	cr_assert_eq(a.ta[0].pkey.key.ec.qlen, 65);
	/* the DN is the whole DER Name: SEQUENCE ... "TLS-CA" inside */
	cr_assert_eq(a.ta[0].dn.data[0], 0x30);
	cr_assert(memmem(a.ta[0].dn.data, a.ta[0].dn.len, "TLS-CA", 6));
	/* a non-CA anchor pins that end entity only */
	cr_assert_eq(a.ta[1].flags, 0);
	cr_assert_eq(a.ta[1].pkey.key_type, BR_KEYTYPE_RSA);
	cr_assert_eq(a.ta[1].pkey.key.rsa.nlen, 256);
	pb_tls_anchors_free(&a);
	cr_assert_eq(a.n, 0);
}

Test(tls, chain_from_pem_and_der) {
	pb_tls_chain c = {0};
	pb_err e;
	size_t n;

	make_pki();
	n = get_file("leaf.der", buf, sizeof buf);
	cr_assert_eq(pb_tls_chain_add(&c, buf, n, "leaf.der", &e), 0, "%s", e.msg);
	cr_assert_eq(c.n, 1);
	cr_assert_eq(c.cert[0].data_len, n);
	cr_assert_eq(memcmp(c.cert[0].data, buf, n), 0);
	n = get_file("ca.pem", buf, sizeof buf);
	cr_assert_eq(pb_tls_chain_add(&c, buf, n, "ca.pem", &e), 0, "%s", e.msg);
	cr_assert_eq(c.n, 2);
	pb_tls_chain_free(&c);
}

Test(tls, refuses_what_holds_no_certificate) {
	pb_tls_anchors a = {0};
	pb_err e;
	size_t n;

	make_pki();
	n = get_file("only.csr", buf, sizeof buf);
	cr_assert_eq(pb_tls_anchors_add(&a, buf, n, "only.csr", &e), PB_EVERIFY);
	cr_assert_str_eq(e.msg, "only.csr: no CERTIFICATE in it");
	cr_assert_eq(pb_tls_anchors_add(&a, (const uint8_t *)"junk", 4, "junk", &e), PB_EVERIFY);
	cr_assert(strncmp(e.msg, "junk: ", 6) == 0, "%s", e.msg);
	/* a bundle whose second certificate is damaged names it */
	n = get_file("bundle.pem", buf, sizeof buf);
	char *second = strstr(strstr((char *)buf, "-----END") + 8, "-----BEGIN CERTIFICATE-----\n");
	cr_assert_not_null(second);
	second[40] = second[40] == 'A' ? 'B' : 'A';
	second[41] = '!';
	cr_assert_neq(pb_tls_anchors_add(&a, buf, n, "b.pem", &e), 0);
	pb_tls_anchors_free(&a);
}

/* The client certificate class over a file: key: what choose() offers
 * for which server lists, and that do_sign's output verifies. */
static void signer_for(const char *alg, hal_ctx **be, hal_key_ref *ref, pb_pubkey *pub,
	hal_tls_signer *s, br_x509_certificate *chain)
{
	char spec[256];
	hal_open_opts o = {0};
	hal_key_spec ks;
	pb_alg a;
	pb_err e;

	cr_assert_eq(pb_alg_parse(alg, &a, &e), 0);
	snprintf(spec, sizeof spec, "file:%s", path("k.pem"));
	cr_assert_eq(hal_key_ref_parse(spec, ref, &e), 0, "%s", e.msg);
	ks = hal_key_spec_sign(a, 1);
	cr_assert_eq(hal_open(HAL_FILE, &o, be, &e), 0, "%s", e.msg);
	cr_assert_eq(hal_key_create(*be, ref, &ks, &e), 0, "%s", e.msg);
	cr_assert_eq(hal_key_public(*be, ref, pub, &e), 0, "%s", e.msg);
	chain->data = (unsigned char *)"x";
	chain->data_len = 1;
	hal_tls_signer_init(s, *be, ref, pub, chain, 1);
}

static void check_signer(const char *alg, unsigned ok_bit, unsigned other_bit, pb_hash h)
{
	hal_ctx *be;
	hal_key_ref ref;
	pb_pubkey pub;
	hal_tls_signer s;
	br_x509_certificate chain;
	br_ssl_client_certificate ch;
	uint8_t data[600], digest[PB_HASH_MAX];
	size_t n;

	signer_for(alg, &be, &ref, &pub, &s, &chain);
	/* the server accepts only what the key does not make: no chain */
	s.vtable->choose(&s.vtable, NULL, 1u << other_bit, &ch);
	cr_assert_null(ch.chain);
	cr_assert_neq(s.err.code, 0);
	cr_assert(strstr(s.err.msg, "accepts no signature algorithm"), "%s", s.err.msg);
	/* the server accepts ours among others */
	hal_tls_signer_init(&s, be, &ref, &pub, &chain, 1);
	s.vtable->choose(&s.vtable, NULL, (1u << ok_bit) | (1u << other_bit), &ch);
	cr_assert_eq(ch.chain, &chain);
	cr_assert_eq(ch.chain_len, 1);
	cr_assert_eq(ch.hash_id, (int)(ok_bit & 7));
	pb_hash_data(h, "handshake messages", 18, digest);
	memcpy(data, digest, pb_hash_len(h));
	n = s.vtable->do_sign(&s.vtable, ch.hash_id, pb_hash_len(h), data, sizeof data);
	cr_assert_gt(n, 0, "%s", s.err.msg);
	cr_assert(pb_pubkey_verify(&pub, h, digest, pb_hash_len(h), data, n), "signature does not verify");
	/* a hash the class does not sign with */
	memcpy(data, digest, 20);
	cr_assert_eq(s.vtable->do_sign(&s.vtable, br_sha1_ID, 20, data, sizeof data), 0);
	/* a buffer too small for the signature */
	memcpy(data, digest, pb_hash_len(h));
	cr_assert_eq(s.vtable->do_sign(&s.vtable, ch.hash_id, pb_hash_len(h), data, pb_hash_len(h)), 0);
	hal_close(be);
}

Test(tls, signer_ec_p256_signs_ecdsa_sha256) {
	check_signer("ec-p256", 8 + br_sha256_ID, 8 + br_sha384_ID, PB_HASH_SHA256);
}

Test(tls, signer_ec_p384_signs_ecdsa_sha384) {
	check_signer("ec-p384", 8 + br_sha384_ID, 8 + br_sha256_ID, PB_HASH_SHA384);
}

Test(tls, signer_rsa_signs_pkcs1_sha256) {
	check_signer("rsa-2048", br_sha256_ID, 8 + br_sha256_ID, PB_HASH_SHA256);
}
