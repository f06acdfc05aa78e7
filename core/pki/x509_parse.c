/* core/pki/x509_parse.c - X.509 parser, signature check, printer; see x509.h. */
#include <string.h>

#include "core/asn1/name.h"
#include "core/asn1/oid.h"
#include "core/asn1/pem.h"
#include "core/pki/x509.h"

#define OID_EKU_ANY "\x55\x1D\x25\x00"   /* 2.5.29.37.0 */

static der_status parse_bc(der_cursor *v, pb_x509 *c)
{
	der_cursor s;
	der_tlv t;
	der_status st;
	int present;
	uint64_t n;

	if ((st = der_enter(v, DER_SEQUENCE, &s)) != DER_OK)
		return st;
	c->is_ca = 0;
	c->pathlen = -1;
	if ((st = der_optional(&s, DER_BOOLEAN, &t, &present)) != DER_OK ||
	    (present && (st = der_get_bool(&t, &c->is_ca)) != DER_OK))
		return st;
	if (present && !c->is_ca)
		return DER_E_BOOL_VALUE;   /* DEFAULT FALSE must be absent in DER */
	if ((st = der_optional(&s, DER_INTEGER, &t, &present)) != DER_OK)
		return st;
	if (present) {
		if ((st = der_get_uint64(&t, &n)) != DER_OK)
			return st;
		if (n > 255)
			return DER_E_INT_OVERFLOW;
		c->pathlen = (int)n;
	}
	return der_finish(&s);
}

static der_status parse_ku(der_cursor *v, pb_x509 *c)
{
	der_tlv t;
	const uint8_t *b;
	size_t n;
	unsigned unused;
	der_status st;

	if ((st = der_expect(v, DER_BIT_STRING, &t)) != DER_OK ||
	    (st = der_get_bits(&t, &b, &n, &unused)) != DER_OK)
		return st;
	if (n > 2)
		return DER_E_INT_OVERFLOW;
	c->key_usage = 0;
	for (unsigned i = 0; i < n * 8; i++)
		if (b[i / 8] & (0x80u >> (i % 8)))
			c->key_usage |= 1u << i;
	return DER_OK;
}

static der_status parse_eku(der_cursor *v, pb_x509 *c)
{
	der_cursor s;
	der_tlv oid;
	der_status st;

	if ((st = der_enter(v, DER_SEQUENCE, &s)) != DER_OK)
		return st;
	if (der_remaining(&s) == 0)
		return DER_E_UNEXPECTED_TAG;   /* SIZE (1..MAX) */
	c->ext_key_usage = 0;
	while (der_remaining(&s)) {
		if ((st = der_expect(&s, DER_OID, &oid)) != DER_OK || (st = der_get_oid(&oid)) != DER_OK)
			return st;
		c->ext_key_usage |= der_oid_eq(&oid, OID(OID_KP_SERVER_AUTH)) ? PB_EKU_SERVER_AUTH :
			der_oid_eq(&oid, OID(OID_KP_CLIENT_AUTH)) ? PB_EKU_CLIENT_AUTH :
			der_oid_eq(&oid, OID(OID_KP_CODE_SIGNING)) ? PB_EKU_CODE_SIGNING :
			der_oid_eq(&oid, OID(OID_EKU_ANY)) ? PB_EKU_ANY : PB_EKU_OTHER;
	}
	return DER_OK;
}

static der_status parse_octets(der_cursor *v, const uint8_t **p, size_t *len)
{
	der_tlv t;
	der_status st = der_expect(v, DER_OCTET_STRING, &t);

	if (st != DER_OK)
		return st;
	if (t.len == 0 || t.len > PB_KEY_ID_MAX)
		return DER_E_INT_OVERFLOW;
	*p = t.val;
	*len = t.len;
	return DER_OK;
}

static der_status parse_aki(der_cursor *v, pb_x509 *c)
{
	der_cursor s;
	der_tlv t;
	der_status st;
	int present;

	if ((st = der_enter(v, DER_SEQUENCE, &s)) != DER_OK ||
	    (st = der_optional(&s, DER_CTX_PRIM(0), &t, &present)) != DER_OK)
		return st;
	if (present) {
		if (t.len == 0 || t.len > PB_KEY_ID_MAX)
			return DER_E_INT_OVERFLOW;
		c->aki = t.val;
		c->aki_len = t.len;
	}
	/* [1] authorityCertIssuer and [2] serial: well-formed, not used */
	if ((st = der_optional(&s, DER_CTX(1), &t, &present)) != DER_OK ||
	    (st = der_optional(&s, DER_CTX_PRIM(2), &t, &present)) != DER_OK)
		return st;
	return der_finish(&s);
}

/* One GeneralName: the string choices must be IA5, an IP 4 or 16 octets. */
static der_status check_general_name(const der_tlv *t)
{
	uint32_t cls = t->tag >> 24 & 0xC0u, num = DER_TAG_NUMBER(t->tag);
	der_tlv as = *t;

	if (cls != 0x80 || num > 8)
		return DER_E_UNEXPECTED_TAG;
	switch (num) {
	case PB_GN_EMAIL: case PB_GN_DNS: case PB_GN_URI:
		if (DER_TAG_CONSTRUCTED(t->tag))
			return DER_E_NOT_PRIMITIVE;
		as.tag = DER_IA5_STRING;
		return der_get_string(&as);
	case PB_GN_IP:
		return t->len == 4 || t->len == 16 ? DER_OK : DER_E_STRING_CHARSET;
	case 0: case 3: case 4: case 5:   /* otherName, x400, directoryName, ediParty */
		return DER_TAG_CONSTRUCTED(t->tag) ? DER_OK : DER_E_NOT_CONSTRUCTED;
	default:                          /* registeredID */
		return DER_TAG_CONSTRUCTED(t->tag) ? DER_E_NOT_PRIMITIVE : DER_OK;
	}
}

der_status pb_general_names_parse(der_cursor *v, const uint8_t **san, size_t *len)
{
	der_cursor s;
	der_tlv t;
	der_status st;

	if ((st = der_enter(v, DER_SEQUENCE, &s)) != DER_OK)
		return st;
	if (der_remaining(&s) == 0)
		return DER_E_UNEXPECTED_TAG;
	*san = s.p;
	*len = s.len;
	while (der_remaining(&s))
		if ((st = der_next(&s, &t)) != DER_OK || (st = check_general_name(&t)) != DER_OK)
			return st;
	return DER_OK;
}

int pb_x509_san_next(const uint8_t *san, size_t san_len, size_t *pos, pb_general_name *gn)
{
	der_cursor c;
	der_tlv t;

	if (san == NULL || *pos >= san_len)
		return 0;
	der_cursor_init(&c, san + *pos, san_len - *pos);
	if (der_next(&c, &t) != DER_OK)
		return 0;
	gn->type = DER_TAG_NUMBER(t.tag);
	gn->val = t.val;
	gn->len = t.len;
	*pos += t.raw_len;
	return 1;
}

/* The value of one extension, dispatched on its OID. */
static der_status parse_ext_value(const der_tlv *oid, der_cursor *v, pb_x509 *c, unsigned *bit)
{
	if (der_oid_eq(oid, OID(OID_CE_BASIC_CONSTRAINTS)))
		return *bit = PB_X509_HAS_BC, parse_bc(v, c);
	if (der_oid_eq(oid, OID(OID_CE_KEY_USAGE)))
		return *bit = PB_X509_HAS_KU, parse_ku(v, c);
	if (der_oid_eq(oid, OID(OID_CE_EXT_KEY_USAGE)))
		return *bit = PB_X509_HAS_EKU, parse_eku(v, c);
	if (der_oid_eq(oid, OID(OID_CE_SKI)))
		return *bit = PB_X509_HAS_SKI, parse_octets(v, &c->ski, &c->ski_len);
	if (der_oid_eq(oid, OID(OID_CE_AKI)))
		return *bit = PB_X509_HAS_AKI, parse_aki(v, c);
	if (der_oid_eq(oid, OID(OID_CE_SAN)))
		return *bit = PB_X509_HAS_SAN, pb_general_names_parse(v, &c->san, &c->san_len);
	*bit = 0;
	v->pos = v->len;   /* unknown: skipped */
	return DER_OK;
}

der_status pb_ext_next(der_cursor *list, der_tlv *oid, int *critical, der_cursor *value)
{
	der_cursor ext;
	der_tlv crit, octets;
	der_status st;
	int present;

	*critical = 0;
	if ((st = der_enter(list, DER_SEQUENCE, &ext)) != DER_OK ||
	    (st = der_expect(&ext, DER_OID, oid)) != DER_OK || (st = der_get_oid(oid)) != DER_OK ||
	    (st = der_optional(&ext, DER_BOOLEAN, &crit, &present)) != DER_OK ||
	    (present && (st = der_get_bool(&crit, critical)) != DER_OK) ||
	    (st = der_expect(&ext, DER_OCTET_STRING, &octets)) != DER_OK)
		return st;
	der_cursor_init(value, octets.val, octets.len);
	value->depth = ext.depth + 1;
	return der_finish(&ext);
}

#define MAX_EXTENSIONS 64

static der_status parse_extensions(const der_cursor *tbs, const der_tlv *wrap, pb_x509 *c)
{
	der_cursor outer, list, val;
	der_tlv oid, seen[MAX_EXTENSIONS];
	size_t nseen = 0;
	der_status st;
	int critical;
	unsigned bit;

	if ((st = der_enter_tlv(tbs, wrap, &outer)) != DER_OK ||
	    (st = der_enter(&outer, DER_SEQUENCE, &list)) != DER_OK ||
	    (st = der_finish(&outer)) != DER_OK)
		return st;
	if (der_remaining(&list) == 0)
		return DER_E_UNEXPECTED_TAG;   /* SIZE (1..MAX) */
	while (der_remaining(&list)) {
		if ((st = pb_ext_next(&list, &oid, &critical, &val)) != DER_OK)
			return st;
		/* RFC 5280 4.2: an extension appears at most once */
		for (size_t i = 0; i < nseen; i++)
			if (der_oid_eq(&seen[i], oid.val, oid.len))
				return DER_E_UNEXPECTED_TAG;
		if (nseen == MAX_EXTENSIONS)
			return DER_E_DEPTH;
		seen[nseen++] = oid;
		if ((st = parse_ext_value(&oid, &val, c, &bit)) != DER_OK || (st = der_finish(&val)) != DER_OK)
			return st;
		c->has |= bit;
		if (critical)
			c->critical |= bit;
		if (critical && bit == 0)
			c->unknown_critical = 1;
	}
	return DER_OK;
}

static der_status parse_version(der_cursor *tbs, pb_x509 *c)
{
	der_cursor v;
	der_tlv t;
	der_status st;
	int present;
	uint64_t n = 0;

	if ((st = der_optional(tbs, DER_CTX(0), &t, &present)) != DER_OK)
		return st;
	if (present) {
		der_tlv num;
		if ((st = der_enter_tlv(tbs, &t, &v)) != DER_OK || (st = der_expect(&v, DER_INTEGER, &num)) != DER_OK ||
		    (st = der_finish(&v)) != DER_OK || (st = der_get_uint64(&num, &n)) != DER_OK)
			return st;
		if (n > 2)
			return DER_E_INT_OVERFLOW;
	}
	c->version = (unsigned)n + 1;
	return DER_OK;
}

static der_status parse_validity(der_cursor *tbs, pb_x509 *c)
{
	der_cursor v;
	der_tlv a, b;
	der_status st;

	if ((st = der_enter(tbs, DER_SEQUENCE, &v)) != DER_OK || (st = der_next(&v, &a)) != DER_OK ||
	    (st = der_get_time(&a, &c->not_before)) != DER_OK || (st = der_next(&v, &b)) != DER_OK ||
	    (st = der_get_time(&b, &c->not_after)) != DER_OK)
		return st;
	return der_finish(&v);
}

/* TBSCertificate up to and including the key; names checked after. */
static der_status parse_tbs(der_cursor *tbs, pb_x509 *c, der_tlv *sigalg, der_tlv *spki)
{
	der_tlv serial, issuer, subject, t;
	der_status st;
	int present;

	if ((st = parse_version(tbs, c)) != DER_OK || (st = der_expect(tbs, DER_INTEGER, &serial)) != DER_OK ||
	    (st = der_get_uint_bytes(&serial, &c->serial, &c->serial_len)) != DER_OK)
		return st;
	if (c->serial_len > PB_SERIAL_MAX + 1)
		return DER_E_INT_OVERFLOW;
	if ((st = der_expect(tbs, DER_SEQUENCE, sigalg)) != DER_OK ||
	    (st = der_expect(tbs, DER_SEQUENCE, &issuer)) != DER_OK ||
	    (st = parse_validity(tbs, c)) != DER_OK ||
	    (st = der_expect(tbs, DER_SEQUENCE, &subject)) != DER_OK ||
	    (st = der_expect(tbs, DER_SEQUENCE, spki)) != DER_OK)
		return st;
	c->issuer = issuer.raw;
	c->issuer_len = issuer.raw_len;
	c->subject = subject.raw;
	c->subject_len = subject.raw_len;
	c->spki = spki->raw;
	c->spki_len = spki->raw_len;
	/* [1] issuerUniqueID, [2] subjectUniqueID (v2+): allowed, unused */
	if ((st = der_optional(tbs, DER_CTX_PRIM(1), &t, &present)) != DER_OK ||
	    (st = der_optional(tbs, DER_CTX_PRIM(2), &t, &present)) != DER_OK ||
	    (st = der_optional(tbs, DER_CTX(3), &t, &present)) != DER_OK)
		return st;
	if (present && c->version != 3)
		return DER_E_UNEXPECTED_TAG;
	if (present && (st = parse_extensions(tbs, &t, c)) != DER_OK)
		return st;
	return der_finish(tbs);
}

int pb_signed_close(der_cursor *s, const der_tlv *inner_alg, const uint8_t **sig, size_t *sig_len,
	int *is_ec, pb_hash *h, pb_err *e)
{
	der_tlv alg, bits;
	unsigned unused;
	der_status st;

	if ((st = der_expect(s, DER_SEQUENCE, &alg)) != DER_OK || (st = der_expect(s, DER_BIT_STRING, &bits)) != DER_OK ||
	    (st = der_finish(s)) != DER_OK || (st = der_get_bits(&bits, sig, sig_len, &unused)) != DER_OK)
		return der_fail(e, PB_EVERIFY, st, "signature");
	if (unused != 0 || *sig_len == 0)
		return pb_fail(e, PB_EVERIFY, "signature: partial octet or empty");
	if (inner_alg && (inner_alg->raw_len != alg.raw_len || memcmp(inner_alg->raw, alg.raw, alg.raw_len) != 0))
		return pb_fail(e, PB_EVERIFY, "signature: algorithm differs from the signed one");
	return pb_sigalg_parse(&alg, is_ec, h, e);
}

int pb_signed_open(const uint8_t *der, size_t len, der_tlv *body, der_cursor *rest, pb_err *e)
{
	der_cursor c;
	der_status st;

	der_cursor_init(&c, der, len);
	if ((st = der_enter(&c, DER_SEQUENCE, rest)) != DER_OK || (st = der_finish(&c)) != DER_OK ||
	    (st = der_expect(rest, DER_SEQUENCE, body)) != DER_OK)
		return der_fail(e, PB_EVERIFY, st, "structure");
	return 0;
}

int pb_x509_parse(const uint8_t *der, size_t len, pb_x509 *c, pb_err *e)
{
	der_cursor outer, tbs;
	der_tlv tbs_tlv, sigalg, spki;
	der_status st;

	memset(c, 0, sizeof *c);
	c->pathlen = -1;
	if (pb_signed_open(der, len, &tbs_tlv, &outer, e) != 0)
		return pb_err_prefix(e, "certificate");
	c->der = der;
	c->der_len = len;
	c->tbs = tbs_tlv.raw;
	c->tbs_len = tbs_tlv.raw_len;
	if ((st = der_enter_tlv(&outer, &tbs_tlv, &tbs)) != DER_OK || (st = parse_tbs(&tbs, c, &sigalg, &spki)) != DER_OK)
		return der_fail(e, PB_EVERIFY, st, "certificate");
	if (pb_name_check(c->issuer, c->issuer_len, e) != 0)
		return pb_err_prefix(e, "certificate issuer");
	if (pb_name_check(c->subject, c->subject_len, e) != 0)
		return pb_err_prefix(e, "certificate subject");
	if (pb_pubkey_parse_spki(c->spki, c->spki_len, &c->pub, e) != 0)
		return pb_err_prefix(e, "certificate");
	if (pb_signed_close(&outer, &sigalg, &c->sig, &c->sig_len, &c->sig_is_ec, &c->sig_hash, e) != 0)
		return pb_err_prefix(e, "certificate");
	return 0;
}

int pb_load_der(const uint8_t *buf, size_t len, const char *const *labels, uint8_t *scratch,
	size_t cap, const uint8_t **der, size_t *der_len, pb_err *e)
{
	pem_block blk;
	size_t pos = 0;
	int r;

	if (!pem_detect(buf, len)) {
		*der = buf;
		*der_len = len;
		return 0;
	}
	while ((r = pem_next((const char *)buf, len, &pos, scratch, cap, &blk, e)) == 0) {
		for (const char *const *l = labels; *l; l++) {
			if (strcmp(blk.label, *l) == 0) {
				*der = blk.der;
				*der_len = blk.len;
				return 0;
			}
		}
	}
	return r == PEM_NONE ? pb_fail(e, PB_EVERIFY, "no %s PEM block found", labels[0]) : r;
}

int pb_x509_load(const uint8_t *buf, size_t len, uint8_t *scratch, size_t cap, pb_x509 *c,
	pb_err *e)
{
	static const char *const labels[] = {"CERTIFICATE", NULL};
	const uint8_t *der;
	size_t n;

	if (pb_load_der(buf, len, labels, scratch, cap, &der, &n, e) != 0)
		return e->code;
	return pb_x509_parse(der, n, c, e);
}

int pb_verify_signed(const pb_pubkey *k, int sig_is_ec, pb_hash h, const uint8_t *data,
	size_t len, const uint8_t *sig, size_t sig_len, pb_err *e)
{
	uint8_t digest[PB_HASH_MAX];

	if (sig_is_ec != pb_alg_is_ec(k->alg))
		return pb_fail(e, PB_EVERIFY, "signature algorithm does not match the %s key",
			pb_alg_name(k->alg));
	pb_hash_data(h, data, len, digest);
	if (!pb_pubkey_verify(k, h, digest, pb_hash_len(h), sig, sig_len))
		return pb_fail(e, PB_EVERIFY, "signature does not verify");
	return 0;
}

int pb_x509_verify(const pb_x509 *c, const pb_pubkey *issuer, pb_err *e)
{
	if (pb_verify_signed(issuer, c->sig_is_ec, c->sig_hash, c->tbs, c->tbs_len, c->sig, c->sig_len, e) != 0)
		return pb_err_prefix(e, "certificate");
	return 0;
}

void pb_x509_fingerprint(const pb_x509 *c, uint8_t out[32])
{
	pb_hash_data(PB_HASH_SHA256, c->der, c->der_len, out);
}
