/* core/pki/csr.c - PKCS#10 encode, parse, verify; see csr.h. */
#include "core/pki/csr.h"

#include <string.h>

#include "core/asn1/name.h"
#include "core/asn1/oid.h"
#include "core/asn1/pem.h"

int pb_csr_encode(const uint8_t *subject, size_t subject_len, const pb_general_name *san,
	size_t san_count, const pb_signer *s, uint8_t *out, size_t cap, size_t *len, pb_err *e)
{
	der_writer w;
	der_status st;
	size_t start;

	if (out == NULL || subject == NULL)
		return pb_fail(e, PB_EFAIL, "CSR: no subject or output buffer");
	der_writer_init(&w, out, cap);
	der_begin(&w, DER_SEQUENCE);
	start = w.len;
	der_begin(&w, DER_SEQUENCE);
	der_put_uint64(&w, 0);
	der_put_raw(&w, subject, subject_len);
	pb_pubkey_write_spki(&s->pub, &w);
	der_begin(&w, DER_CTX(0));
	if (san_count) {
		/* extensionRequest { subjectAltName } */
		der_begin(&w, DER_SEQUENCE);
		der_put_oid(&w, OID(OID_PKCS9_EXT_REQUEST));
		der_begin(&w, DER_SET);
		der_begin(&w, DER_SEQUENCE);
		der_begin(&w, DER_SEQUENCE);
		der_put_oid(&w, OID(OID_CE_SAN));
		der_begin(&w, DER_OCTET_STRING);
		if (pb_x509_write_general_names(&w, san, san_count, e) != 0)
			return e->code;
		der_end(&w);
		der_end(&w);
		der_end(&w);
		der_end(&w);
		der_end(&w);
	}
	der_end(&w);
	der_end(&w);
	if (pb_sign_append(&w, start, s, e) != 0)
		return e->code;
	der_end(&w);
	if ((st = der_writer_finish(&w, len)) != DER_OK)
		return pb_fail(e, PB_EFAIL, "CSR: %s", der_strerror(st));
	return 0;
}

/* ------------------------------------------------------------------ */
/* parsing */

/* extensionRequest value: Extensions; only a SAN is taken from it. */
static der_status parse_ext_request(der_cursor *values, pb_csr *c)
{
	der_cursor list, val;
	der_tlv oid;
	der_status st;
	int critical;

	if ((st = der_enter(values, DER_SEQUENCE, &list)) != DER_OK || (st = der_finish(values)) != DER_OK)
		return st;
	while (der_remaining(&list)) {
		if ((st = pb_ext_next(&list, &oid, &critical, &val)) != DER_OK)
			return st;
		if (!der_oid_eq(&oid, OID(OID_CE_SAN)))
			continue;
		if (c->san)
			return DER_E_UNEXPECTED_TAG;   /* requested twice */
		if ((st = pb_general_names_parse(&val, &c->san, &c->san_len)) != DER_OK ||
		    (st = der_finish(&val)) != DER_OK)
			return st;
	}
	return DER_OK;
}

static der_status parse_attributes(der_cursor *info, pb_csr *c)
{
	der_cursor attrs, attr, values;
	der_tlv oid;
	der_status st;
	int seen_ext = 0;

	if ((st = der_enter(info, DER_CTX(0), &attrs)) != DER_OK)
		return st;
	while (der_remaining(&attrs)) {
		if ((st = der_enter(&attrs, DER_SEQUENCE, &attr)) != DER_OK ||
		    (st = der_expect(&attr, DER_OID, &oid)) != DER_OK || (st = der_get_oid(&oid)) != DER_OK ||
		    (st = der_enter(&attr, DER_SET, &values)) != DER_OK || (st = der_finish(&attr)) != DER_OK)
			return st;
		if (!der_oid_eq(&oid, OID(OID_PKCS9_EXT_REQUEST)))
			continue;   /* challengePassword and others: not used */
		if (seen_ext++)
			return DER_E_UNEXPECTED_TAG;
		if ((st = parse_ext_request(&values, c)) != DER_OK)
			return st;
	}
	return DER_OK;
}

static der_status parse_info(der_cursor *info, pb_csr *c)
{
	der_tlv v, subject, spki;
	uint64_t version;
	der_status st;

	if ((st = der_expect(info, DER_INTEGER, &v)) != DER_OK || (st = der_get_uint64(&v, &version)) != DER_OK)
		return st;
	if (version != 0)
		return DER_E_INT_OVERFLOW;
	if ((st = der_expect(info, DER_SEQUENCE, &subject)) != DER_OK ||
	    (st = der_expect(info, DER_SEQUENCE, &spki)) != DER_OK ||
	    (st = parse_attributes(info, c)) != DER_OK)
		return st;
	c->subject = subject.raw;
	c->subject_len = subject.raw_len;
	c->spki = spki.raw;
	c->spki_len = spki.raw_len;
	return der_finish(info);
}

int pb_csr_parse(const uint8_t *der, size_t len, pb_csr *c, pb_err *e)
{
	der_cursor outer, info;
	der_tlv info_tlv;
	der_status st;

	memset(c, 0, sizeof *c);
	if (pb_signed_open(der, len, &info_tlv, &outer, e) != 0)
		return pb_err_prefix(e, "CSR");
	c->der = der;
	c->der_len = len;
	c->info = info_tlv.raw;
	c->info_len = info_tlv.raw_len;
	if ((st = der_enter_tlv(&outer, &info_tlv, &info)) != DER_OK || (st = parse_info(&info, c)) != DER_OK)
		return der_fail(e, PB_EVERIFY, st, "CSR");
	if (pb_name_check(c->subject, c->subject_len, e) != 0)
		return pb_err_prefix(e, "CSR subject");
	if (pb_pubkey_parse_spki(c->spki, c->spki_len, &c->pub, e) != 0 ||
	    pb_signed_close(&outer, NULL, &c->sig, &c->sig_len, &c->sig_is_ec, &c->sig_hash, e) != 0)
		return pb_err_prefix(e, "CSR");
	return 0;
}

int pb_csr_load(const uint8_t *buf, size_t len, uint8_t *scratch, size_t cap, pb_csr *c,
	pb_err *e)
{
	static const char *const labels[] = {"CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST", NULL};
	const uint8_t *der;
	size_t n;

	if (pb_load_der(buf, len, labels, scratch, cap, &der, &n, e) != 0)
		return e->code;
	return pb_csr_parse(der, n, c, e);
}

int pb_csr_verify(const pb_csr *c, pb_err *e)
{
	if (pb_verify_signed(&c->pub, c->sig_is_ec, c->sig_hash, c->info, c->info_len, c->sig, c->sig_len, e) != 0)
		return pb_err_prefix(e, "CSR");
	return 0;
}
