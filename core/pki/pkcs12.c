/* core/pki/pkcs12.c - reading PKCS#12 files; see pkcs12.h.
 *
 * What is accepted inside the AuthenticatedSafe: data and encryptedData
 * ContentInfos (envelopedData is refused), holding keyBag,
 * pkcs8ShroudedKeyBag and certBag (x509Certificate); CRL, secret and
 * unknown bags are skipped, nested safeContents bags refused. At most one
 * private key and PB_P12_MAX_CERTS certificates.
 */
#include "core/pki/pkcs12.h"

#include <string.h>

#include "core/asn1/oid.h"
#include "core/pki/x509.h"

/* MacData ::= SEQUENCE { mac DigestInfo, macSalt OCTET STRING, iterations INTEGER DEFAULT 1 } */
static int parse_mac_data(der_cursor *pfx_c, pb_p12_pfx *pfx, pb_err *e)
{
	der_cursor md, di, alg;
	der_tlv oid, param, digest, salt, iter;
	int has_param, has_iter;
	der_status st;

	if ((st = der_enter(pfx_c, DER_SEQUENCE, &md)) != DER_OK ||
	    (st = der_enter(&md, DER_SEQUENCE, &di)) != DER_OK ||
	    (st = der_enter(&di, DER_SEQUENCE, &alg)) != DER_OK ||
	    (st = der_expect(&alg, DER_OID, &oid)) != DER_OK ||
	    (st = der_optional(&alg, DER_NULL, &param, &has_param)) != DER_OK ||
	    (st = der_finish(&alg)) != DER_OK ||
	    (st = der_expect(&di, DER_OCTET_STRING, &digest)) != DER_OK ||
	    (st = der_finish(&di)) != DER_OK ||
	    (st = der_expect(&md, DER_OCTET_STRING, &salt)) != DER_OK ||
	    (st = der_optional(&md, DER_INTEGER, &iter, &has_iter)) != DER_OK ||
	    (st = der_finish(&md)) != DER_OK)
		return der_fail(e, PB_EVERIFY, st, "PKCS#12 MAC data");
	if ((pfx->mac_hash = pb_pbe_hash(&oid, 0)) == NULL)
		return pb_fail(e, PB_EVERIFY, "PKCS#12 MAC: unsupported digest (SHA-1 or SHA-2 only)");
	if (digest.len != pb_hash_class_out(pfx->mac_hash))
		return pb_fail(e, PB_EVERIFY, "PKCS#12 MAC: digest has the wrong length");
	if (salt.len > PB_P12_SALT_MAX)
		return pb_fail(e, PB_EVERIFY, "PKCS#12 MAC: salt longer than %d bytes", PB_P12_SALT_MAX);
	pfx->mac_iter = 1;
	if (has_iter && pb_pbe_iterations(&iter, &pfx->mac_iter, e) != 0)
		return pb_err_prefix(e, "PKCS#12 MAC");
	pfx->has_mac = 1;
	pfx->mac = digest.val;
	pfx->mac_len = digest.len;
	pfx->mac_salt = salt.val;
	pfx->mac_salt_len = salt.len;
	return 0;
}

int pb_p12_parse(uint8_t *der, size_t len, pb_p12_pfx *pfx, pb_err *e)
{
	der_cursor c, p, ci, body;
	der_tlv ver, type, octets;
	uint64_t v;
	der_status st;

	memset(pfx, 0, sizeof *pfx);
	pfx->buf = der;
	pfx->len = len;
	der_cursor_init(&c, der, len);
	if ((st = der_enter(&c, DER_SEQUENCE, &p)) != DER_OK || (st = der_finish(&c)) != DER_OK ||
	    (st = der_expect(&p, DER_INTEGER, &ver)) != DER_OK || (st = der_get_uint64(&ver, &v)) != DER_OK ||
	    (st = der_enter(&p, DER_SEQUENCE, &ci)) != DER_OK ||
	    (st = der_expect(&ci, DER_OID, &type)) != DER_OK)
		return der_fail(e, PB_EVERIFY, st, "PKCS#12");
	if (v != 3)
		return pb_fail(e, PB_EVERIFY, "PKCS#12: version %llu, expected 3", (unsigned long long)v);
	if (!der_oid_eq(&type, OID(OID_PKCS7_DATA)))
		return pb_fail(e, PB_EVERIFY, "PKCS#12: only password integrity (data content) is supported");
	if ((st = der_enter(&ci, DER_CTX(0), &body)) != DER_OK || (st = der_finish(&ci)) != DER_OK ||
	    (st = der_expect(&body, DER_OCTET_STRING, &octets)) != DER_OK ||
	    (st = der_finish(&body)) != DER_OK)
		return der_fail(e, PB_EVERIFY, st, "PKCS#12 content");
	pfx->auth_safe = octets.val;
	pfx->auth_safe_len = octets.len;
	if (der_remaining(&p) == 0)
		return 0;
	if (parse_mac_data(&p, pfx, e) != 0)
		return e->code;
	if ((st = der_finish(&p)) != DER_OK)
		return der_fail(e, PB_EVERIFY, st, "PKCS#12");
	return 0;
}

static int mac_matches(const pb_p12_pfx *pfx, const uint8_t *pw, size_t pwlen)
{
	br_hmac_key_context kc;
	br_hmac_context hc;
	uint8_t key[64], mac[64];
	size_t hlen = pb_hash_class_out(pfx->mac_hash);
	pb_err e;
	int ok = 0;

	if (pb_p12_kdf(pfx->mac_hash, PB_P12_KDF_MAC, pw, pwlen, pfx->mac_salt, pfx->mac_salt_len,
	        pfx->mac_iter, key, hlen, &e) == 0) {
		br_hmac_key_init(&kc, pfx->mac_hash, key, hlen);
		br_hmac_init(&hc, &kc, 0);
		br_hmac_update(&hc, pfx->auth_safe, pfx->auth_safe_len);
		br_hmac_out(&hc, mac);
		ok = pfx->mac_len == hlen && pb_ct_equal(mac, pfx->mac, hlen);
	}
	explicit_bzero(&kc, sizeof kc);
	explicit_bzero(&hc, sizeof hc);
	explicit_bzero(key, sizeof key);
	explicit_bzero(mac, sizeof mac);
	return ok;
}

int pb_p12_verify_mac(pb_p12_pfx *pfx, const pb_secret *pw, pb_err *e)
{
	pb_pbe_pw p;
	int ok;

	if (!pfx->has_mac)
		return pb_fail(e, PB_EVERIFY,
			"PKCS#12 file has no MAC, its integrity cannot be checked: export it with a MAC");
	pb_pbe_pw_init(&p, pw);
	ok = mac_matches(pfx, p.bmp, p.bmp_len);
	pfx->pw_none = 0;
	/* as openssl: an empty password may also have been the NULL one */
	if (!ok && pw->len == 0)
		ok = pfx->pw_none = mac_matches(pfx, NULL, 0);
	pb_pbe_pw_wipe(&p);
	if (!ok)
		return pb_fail(e, PB_EAUTH, "wrong PIN or password (PKCS#12 MAC mismatch)");
	return 0;
}

/* --- decoding the AuthenticatedSafe --- */

typedef struct decoder {
	pb_p12_pfx *pfx;
	pb_pbe_pw pw;
	pb_p12_contents *out;
} decoder;

typedef struct bag_attrs {
	const uint8_t *key_id;
	size_t key_id_len;
	char name[64];
} bag_attrs;

/* The writable bytes of a view into the PFX buffer. */
static uint8_t *writable(const decoder *d, const uint8_t *p)
{
	return d->pfx->buf + (p - d->pfx->buf);
}

/* friendlyName BMPString to printable ASCII ('?' for anything else). */
static int bmp_to_ascii(const der_tlv *t, char *out, size_t cap, pb_err *e)
{
	size_t n = 0;

	if (t->len % 2 != 0)
		return pb_fail(e, PB_EVERIFY, "PKCS#12 friendlyName: odd BMPString length");
	for (size_t i = 0; i + 1 < t->len && n + 1 < cap; i += 2) {
		unsigned c = (unsigned)t->val[i] << 8 | t->val[i + 1];
		out[n++] = c >= 0x20 && c < 0x7F ? (char)c : '?';
	}
	out[n] = '\0';
	return 0;
}

static int parse_attr(der_cursor *set, bag_attrs *a, pb_err *e)
{
	der_cursor attr, vals;
	der_tlv oid, v;
	der_status st;

	if ((st = der_enter(set, DER_SEQUENCE, &attr)) != DER_OK ||
	    (st = der_expect(&attr, DER_OID, &oid)) != DER_OK ||
	    (st = der_enter(&attr, DER_SET, &vals)) != DER_OK ||
	    (st = der_finish(&attr)) != DER_OK)
		return der_fail(e, PB_EVERIFY, st, "PKCS#12 bag attribute");
	if (der_oid_eq(&oid, OID(OID_PKCS9_LOCAL_KEY_ID))) {
		if ((st = der_expect(&vals, DER_OCTET_STRING, &v)) != DER_OK || (st = der_finish(&vals)) != DER_OK)
			return der_fail(e, PB_EVERIFY, st, "PKCS#12 localKeyId");
		a->key_id = v.val;
		a->key_id_len = v.len;
	} else if (der_oid_eq(&oid, OID(OID_PKCS9_FRIENDLY_NAME))) {
		if ((st = der_expect(&vals, DER_BMP_STRING, &v)) != DER_OK || (st = der_finish(&vals)) != DER_OK)
			return der_fail(e, PB_EVERIFY, st, "PKCS#12 friendlyName");
		return bmp_to_ascii(&v, a->name, sizeof a->name, e);
	}
	/* other attributes (e.g. a Microsoft CSP name) are ignored */
	return 0;
}

static int parse_attrs(const der_cursor *bag, const der_tlv *set_tlv, bag_attrs *a, pb_err *e)
{
	der_cursor set;
	der_status st;

	if ((st = der_enter_tlv(bag, set_tlv, &set)) != DER_OK)
		return der_fail(e, PB_EVERIFY, st, "PKCS#12 bag attributes");
	while (der_remaining(&set))
		if (parse_attr(&set, a, e) != 0)
			return e->code;
	return 0;
}

static int take_key(decoder *d, const uint8_t *pk8, size_t len, const bag_attrs *a, pb_err *e)
{
	pb_p12_contents *o = d->out;

	if (o->has_key)
		return pb_fail(e, PB_EVERIFY, "PKCS#12: more than one private key (one is supported)");
	if (pb_privkey_parse_der(pk8, len, &o->key, e) != 0)
		return pb_err_prefix(e, "PKCS#12 key bag");
	o->has_key = 1;
	o->key_id = a->key_id;
	o->key_id_len = a->key_id_len;
	if (a->name[0])
		memcpy(o->friendly_name, a->name, sizeof o->friendly_name);
	return 0;
}

/* EncryptedPrivateKeyInfo ::= SEQUENCE { AlgorithmIdentifier, OCTET STRING } */
static int shrouded_key(decoder *d, der_cursor *val, const bag_attrs *a, pb_err *e)
{
	der_cursor epki;
	der_tlv alg, enc;
	der_status st;
	size_t plain;
	uint8_t *p;
	int rc;

	if ((st = der_enter(val, DER_SEQUENCE, &epki)) != DER_OK || (st = der_finish(val)) != DER_OK ||
	    (st = der_expect(&epki, DER_SEQUENCE, &alg)) != DER_OK ||
	    (st = der_expect(&epki, DER_OCTET_STRING, &enc)) != DER_OK ||
	    (st = der_finish(&epki)) != DER_OK)
		return der_fail(e, PB_EVERIFY, st, "PKCS#12 shrouded key bag");
	p = writable(d, enc.val);
	if (pb_pbe_decrypt(&alg, &d->pw, p, enc.len, &plain, e) != 0)
		return pb_err_prefix(e, "PKCS#12 shrouded key bag");
	rc = take_key(d, p, plain, a, e);
	explicit_bzero(p, enc.len);   /* the plaintext key is parsed: no copy stays */
	return rc;
}

/* CertBag ::= SEQUENCE { certId OID, certValue [0] EXPLICIT OCTET STRING } */
static int cert_bag(decoder *d, der_cursor *val, const bag_attrs *a, pb_err *e)
{
	der_cursor cb, cv;
	der_tlv type, cert;
	der_status st;
	pb_p12_cert *c;

	if ((st = der_enter(val, DER_SEQUENCE, &cb)) != DER_OK || (st = der_finish(val)) != DER_OK ||
	    (st = der_expect(&cb, DER_OID, &type)) != DER_OK ||
	    (st = der_enter(&cb, DER_CTX(0), &cv)) != DER_OK || (st = der_finish(&cb)) != DER_OK ||
	    (st = der_expect(&cv, DER_OCTET_STRING, &cert)) != DER_OK || (st = der_finish(&cv)) != DER_OK)
		return der_fail(e, PB_EVERIFY, st, "PKCS#12 certificate bag");
	if (!der_oid_eq(&type, OID(OID_PKCS9_X509_CERT)))
		return 0;   /* SDSI certificates: skipped */
	if (d->out->ncerts == PB_P12_MAX_CERTS)
		return pb_fail(e, PB_EVERIFY, "PKCS#12: more than %d certificates", PB_P12_MAX_CERTS);
	c = &d->out->certs[d->out->ncerts++];
	c->der = cert.val;
	c->len = cert.len;
	c->key_id = a->key_id;
	c->key_id_len = a->key_id_len;
	if (d->out->friendly_name[0] == '\0' && a->name[0])
		memcpy(d->out->friendly_name, a->name, sizeof a->name);
	return 0;
}

/* SafeBag ::= SEQUENCE { bagId OID, bagValue [0] EXPLICIT ANY, bagAttributes SET OF OPTIONAL } */
static int decode_bag(decoder *d, der_cursor *bags, pb_err *e)
{
	der_cursor bag, val;
	der_tlv id, set;
	int has_attrs;
	bag_attrs a = {NULL, 0, ""};
	der_status st;

	if ((st = der_enter(bags, DER_SEQUENCE, &bag)) != DER_OK ||
	    (st = der_expect(&bag, DER_OID, &id)) != DER_OK ||
	    (st = der_enter(&bag, DER_CTX(0), &val)) != DER_OK ||
	    (st = der_optional(&bag, DER_SET, &set, &has_attrs)) != DER_OK ||
	    (st = der_finish(&bag)) != DER_OK)
		return der_fail(e, PB_EVERIFY, st, "PKCS#12 safe bag");
	if (has_attrs && parse_attrs(&bag, &set, &a, e) != 0)
		return e->code;
	if (der_oid_eq(&id, OID(OID_P12_SHROUDED_KEY_BAG)))
		return shrouded_key(d, &val, &a, e);
	if (der_oid_eq(&id, OID(OID_P12_CERT_BAG)))
		return cert_bag(d, &val, &a, e);
	if (der_oid_eq(&id, OID(OID_P12_KEY_BAG))) {
		der_tlv pki;
		if ((st = der_expect(&val, DER_SEQUENCE, &pki)) != DER_OK || (st = der_finish(&val)) != DER_OK)
			return der_fail(e, PB_EVERIFY, st, "PKCS#12 key bag");
		return take_key(d, pki.raw, pki.raw_len, &a, e);
	}
	if (der_oid_eq(&id, OID(OID_P12_SAFE_CONTENTS_BAG)))
		return pb_fail(e, PB_EVERIFY, "PKCS#12: nested safeContents bags are not supported");
	return 0;   /* CRL, secret and unknown bags: skipped */
}

static int decode_safe_contents(decoder *d, const uint8_t *buf, size_t len, pb_err *e)
{
	der_cursor c, bags;
	der_status st;

	der_cursor_init(&c, buf, len);
	if ((st = der_enter(&c, DER_SEQUENCE, &bags)) != DER_OK || (st = der_finish(&c)) != DER_OK)
		return der_fail(e, PB_EVERIFY, st, "PKCS#12 safe contents");
	while (der_remaining(&bags))
		if (decode_bag(d, &bags, e) != 0)
			return e->code;
	return 0;
}

/* EncryptedData ::= SEQUENCE { version INTEGER, EncryptedContentInfo ::= SEQUENCE {
 *   contentType OID (data), contentEncryptionAlgorithm, encryptedContent [0] IMPLICIT OCTET STRING } } */
static int encrypted_safe(decoder *d, der_cursor *body, pb_err *e)
{
	der_cursor ed, eci;
	der_tlv ver, type, alg, ct;
	uint64_t v;
	der_status st;
	size_t plain;
	uint8_t *p;

	if ((st = der_enter(body, DER_SEQUENCE, &ed)) != DER_OK || (st = der_finish(body)) != DER_OK ||
	    (st = der_expect(&ed, DER_INTEGER, &ver)) != DER_OK || (st = der_get_uint64(&ver, &v)) != DER_OK ||
	    (st = der_enter(&ed, DER_SEQUENCE, &eci)) != DER_OK || (st = der_finish(&ed)) != DER_OK ||
	    (st = der_expect(&eci, DER_OID, &type)) != DER_OK ||
	    (st = der_expect(&eci, DER_SEQUENCE, &alg)) != DER_OK ||
	    (st = der_expect(&eci, DER_CTX_PRIM(0), &ct)) != DER_OK ||
	    (st = der_finish(&eci)) != DER_OK)
		return der_fail(e, PB_EVERIFY, st, "PKCS#12 encrypted safe");
	if (v != 0 || !der_oid_eq(&type, OID(OID_PKCS7_DATA)))
		return pb_fail(e, PB_EVERIFY, "PKCS#12 encrypted safe: unexpected version or content type");
	p = writable(d, ct.val);
	if (pb_pbe_decrypt(&alg, &d->pw, p, ct.len, &plain, e) != 0)
		return pb_err_prefix(e, "PKCS#12 encrypted safe");
	return decode_safe_contents(d, p, plain, e);
}

/* ContentInfo ::= SEQUENCE { contentType OID, content [0] EXPLICIT ANY } */
static int decode_content_info(decoder *d, der_cursor *safes, pb_err *e)
{
	der_cursor ci, body;
	der_tlv type, os;
	der_status st;

	if ((st = der_enter(safes, DER_SEQUENCE, &ci)) != DER_OK ||
	    (st = der_expect(&ci, DER_OID, &type)) != DER_OK ||
	    (st = der_enter(&ci, DER_CTX(0), &body)) != DER_OK || (st = der_finish(&ci)) != DER_OK)
		return der_fail(e, PB_EVERIFY, st, "PKCS#12 safe");
	if (der_oid_eq(&type, OID(OID_PKCS7_DATA))) {
		if ((st = der_expect(&body, DER_OCTET_STRING, &os)) != DER_OK || (st = der_finish(&body)) != DER_OK)
			return der_fail(e, PB_EVERIFY, st, "PKCS#12 data safe");
		return decode_safe_contents(d, os.val, os.len, e);
	}
	if (der_oid_eq(&type, OID(OID_PKCS7_ENCRYPTED)))
		return encrypted_safe(d, &body, e);
	if (der_oid_eq(&type, OID(OID_PKCS7_ENVELOPED)))
		return pb_fail(e, PB_EVERIFY, "PKCS#12: public-key encrypted safes are not supported");
	return pb_fail(e, PB_EVERIFY, "PKCS#12: unknown safe content type");
}

int pb_p12_decode(pb_p12_pfx *pfx, const pb_secret *pw, pb_p12_contents *out, pb_err *e)
{
	decoder d = {pfx, {0}, out};
	der_cursor c, safes;
	der_status st;
	int rc = 0;

	memset(out, 0, sizeof *out);
	pb_pbe_pw_init(&d.pw, pw);
	if (pfx->pw_none)
		d.pw.bmp_len = 0;
	der_cursor_init(&c, pfx->auth_safe, pfx->auth_safe_len);
	if ((st = der_enter(&c, DER_SEQUENCE, &safes)) != DER_OK || (st = der_finish(&c)) != DER_OK)
		rc = der_fail(e, PB_EVERIFY, st, "PKCS#12 authenticated safe");
	while (rc == 0 && der_remaining(&safes))
		rc = decode_content_info(&d, &safes, e);
	pb_pbe_pw_wipe(&d.pw);
	if (rc != 0)
		pb_p12_contents_wipe(out);
	return rc;
}

int pb_p12_read(uint8_t *der, size_t len, const pb_secret *pw, pb_p12_contents *out, pb_err *e)
{
	pb_p12_pfx pfx;

	memset(out, 0, sizeof *out);
	if (pb_p12_parse(der, len, &pfx, e) != 0 || pb_p12_verify_mac(&pfx, pw, e) != 0)
		return e->code;
	return pb_p12_decode(&pfx, pw, out, e);
}

void pb_p12_contents_wipe(pb_p12_contents *c)
{
	pb_privkey_wipe(&c->key);
	explicit_bzero(c, sizeof *c);
}

const pb_p12_cert *pb_p12_key_cert(const pb_p12_contents *c)
{
	pb_x509 x;
	pb_err e;

	if (!c->has_key)
		return NULL;
	for (size_t i = 0; i < c->ncerts; i++)
		if (pb_x509_parse(c->certs[i].der, c->certs[i].len, &x, &e) == 0 &&
		    pb_pubkey_equal(&x.pub, &c->key.pub))
			return &c->certs[i];
	return NULL;
}
