/* core/pki/pkcs12_write.c - writing PKCS#12 files as OpenSSL 3 does; see pkcs12.h. */
#include "core/pki/pkcs12.h"

#include <string.h>

#include "core/asn1/oid.h"

#define SAFE_MAX (PB_P12_CERT_MAX + 256)   /* one safe: a certificate or an RSA-4096 PKCS#8, with bags */

typedef struct p12_bufs {
	uint8_t plain[SAFE_MAX];        /* PKCS#8, then the certificate safe */
	uint8_t enc[SAFE_MAX + 16];
	uint8_t key_safe[SAFE_MAX + 256];
	uint8_t auth[2 * SAFE_MAX + 1024];
} p12_bufs;

/* One Attribute { oid, SET { value } } into buf; returns its length (0 on overflow). */
static size_t encode_attr(uint8_t *buf, size_t cap, const uint8_t *oid, size_t oidlen,
	uint32_t tag, const uint8_t *val, size_t len)
{
	der_writer w;
	size_t n;

	der_writer_init(&w, buf, cap);
	der_begin(&w, DER_SEQUENCE);
	der_put_oid(&w, oid, oidlen);
	der_begin(&w, DER_SET);
	der_put_tlv(&w, tag, val, len);
	der_end(&w);
	der_end(&w);
	return der_writer_finish(&w, &n) == DER_OK ? n : 0;
}

/* SET OF { localKeyId, friendlyName } in DER order (X.690 11.6: sorted
 * as octet strings, a prefix first). */
static void write_attrs(der_writer *w, const uint8_t key_id[20], const char *name)
{
	uint8_t a[64], b[300], bmp[256];
	size_t na, nb = 0, nlen = name ? strlen(name) : 0;

	na = encode_attr(a, sizeof a, OID(OID_PKCS9_LOCAL_KEY_ID), DER_OCTET_STRING, key_id, 20);
	if (nlen > sizeof bmp / 2)
		nlen = sizeof bmp / 2;
	for (size_t i = 0; i < nlen; i++)
		bmp[2 * i] = 0, bmp[2 * i + 1] = (uint8_t)name[i];
	if (nlen)
		nb = encode_attr(b, sizeof b, OID(OID_PKCS9_FRIENDLY_NAME), DER_BMP_STRING, bmp, 2 * nlen);
	der_begin(w, DER_SET);
	if (nb == 0) {
		der_put_raw(w, a, na);
	} else {
		int cmp = memcmp(a, b, na < nb ? na : nb);
		int a_first = cmp < 0 || (cmp == 0 && na <= nb);
		der_put_raw(w, a_first ? a : b, a_first ? na : nb);
		der_put_raw(w, a_first ? b : a, a_first ? nb : na);
	}
	der_end(w);
}

static int finish(der_writer *w, size_t *len, const char *what, pb_err *e)
{
	der_status st = der_writer_finish(w, len);

	return st == DER_OK ? 0 : der_fail(e, PB_EFAIL, st, what);
}

/* SafeContents { SafeBag { shroudedKeyBag, [0] EncryptedPrivateKeyInfo, attrs } } */
static int key_safe(const pb_p12_write_params *p, const pb_secret *pw, const uint8_t key_id[20],
	p12_bufs *b, size_t *len, pb_err *e)
{
	pb_pbes2 pbe;
	size_t pk8len, enclen;
	der_writer w;

	if (pb_privkey_to_pkcs8(p->key, b->plain, sizeof b->plain, &pk8len, e) != 0 ||
	    pb_pbes2_new(&pbe, p->iter, e) != 0 ||
	    pb_pbes2_encrypt(&pbe, pw, b->plain, pk8len, b->enc, sizeof b->enc, &enclen, e) != 0)
		return e->code;
	der_writer_init(&w, b->key_safe, sizeof b->key_safe);
	der_begin(&w, DER_SEQUENCE);
	der_begin(&w, DER_SEQUENCE);
	der_put_oid(&w, OID(OID_P12_SHROUDED_KEY_BAG));
	der_begin(&w, DER_CTX(0));
	der_begin(&w, DER_SEQUENCE);
	pb_pbes2_write_algid(&pbe, &w);
	der_put_octets(&w, b->enc, enclen);
	der_end(&w);
	der_end(&w);
	write_attrs(&w, key_id, p->friendly_name);
	der_end(&w);
	der_end(&w);
	return finish(&w, len, "PKCS#12 key safe", e);
}

/* The certificate safe, plaintext: SafeContents { SafeBag { certBag, [0] CertBag, attrs } } */
static int cert_safe(const pb_p12_write_params *p, const uint8_t key_id[20], p12_bufs *b,
	size_t *len, pb_err *e)
{
	der_writer w;

	der_writer_init(&w, b->plain, sizeof b->plain);
	der_begin(&w, DER_SEQUENCE);
	der_begin(&w, DER_SEQUENCE);
	der_put_oid(&w, OID(OID_P12_CERT_BAG));
	der_begin(&w, DER_CTX(0));
	der_begin(&w, DER_SEQUENCE);
	der_put_oid(&w, OID(OID_PKCS9_X509_CERT));
	der_begin(&w, DER_CTX(0));
	der_put_octets(&w, p->cert, p->cert_len);
	der_end(&w);
	der_end(&w);
	der_end(&w);
	write_attrs(&w, key_id, p->friendly_name);
	der_end(&w);
	der_end(&w);
	return finish(&w, len, "PKCS#12 certificate safe", e);
}

/* AuthenticatedSafe { encryptedData(certificate safe), data(key safe) } */
static int auth_safe(const pb_p12_write_params *p, const pb_secret *pw, p12_bufs *b, size_t *len,
	pb_err *e)
{
	uint8_t key_id[20];
	br_sha1_context sha;
	pb_pbes2 pbe;
	size_t klen, clen, enclen;
	der_writer w;

	br_sha1_init(&sha);
	br_sha1_update(&sha, p->cert, p->cert_len);
	br_sha1_out(&sha, key_id);     /* what openssl puts in localKeyId */
	if (key_safe(p, pw, key_id, b, &klen, e) != 0 || cert_safe(p, key_id, b, &clen, e) != 0 ||
	    pb_pbes2_new(&pbe, p->iter, e) != 0 ||
	    pb_pbes2_encrypt(&pbe, pw, b->plain, clen, b->enc, sizeof b->enc, &enclen, e) != 0)
		return e->code;
	der_writer_init(&w, b->auth, sizeof b->auth);
	der_begin(&w, DER_SEQUENCE);
	der_begin(&w, DER_SEQUENCE);
	der_put_oid(&w, OID(OID_PKCS7_ENCRYPTED));
	der_begin(&w, DER_CTX(0));
	der_begin(&w, DER_SEQUENCE);
	der_put_uint64(&w, 0);
	der_begin(&w, DER_SEQUENCE);
	der_put_oid(&w, OID(OID_PKCS7_DATA));
	pb_pbes2_write_algid(&pbe, &w);
	der_put_tlv(&w, DER_CTX_PRIM(0), b->enc, enclen);
	der_end(&w);
	der_end(&w);
	der_end(&w);
	der_end(&w);
	der_begin(&w, DER_SEQUENCE);
	der_put_oid(&w, OID(OID_PKCS7_DATA));
	der_begin(&w, DER_CTX(0));
	der_put_octets(&w, b->key_safe, klen);
	der_end(&w);
	der_end(&w);
	der_end(&w);
	return finish(&w, len, "PKCS#12 authenticated safe", e);
}

/* HMAC-SHA256 of data under the PKCS#12 KDF (purpose 3) key. */
static int compute_mac(const pb_secret *pw, const uint8_t *salt, size_t saltlen, uint32_t iter,
	const uint8_t *data, size_t len, uint8_t mac[32], pb_err *e)
{
	pb_pbe_pw p;
	br_hmac_key_context kc;
	br_hmac_context hc;
	uint8_t key[32];
	int rc;

	pb_pbe_pw_init(&p, pw);
	rc = pb_p12_kdf(&br_sha256_vtable, PB_P12_KDF_MAC, p.bmp, p.bmp_len, salt, saltlen, iter,
		key, sizeof key, e);
	if (rc == 0) {
		br_hmac_key_init(&kc, &br_sha256_vtable, key, sizeof key);
		br_hmac_init(&hc, &kc, 0);
		br_hmac_update(&hc, data, len);
		br_hmac_out(&hc, mac);
	}
	pb_pbe_pw_wipe(&p);
	explicit_bzero(&kc, sizeof kc);
	explicit_bzero(&hc, sizeof hc);
	explicit_bzero(key, sizeof key);
	return rc;
}

int pb_p12_write(const pb_p12_write_params *p, const pb_secret *pw, uint8_t *out, size_t cap,
	size_t *len, pb_err *e)
{
	p12_bufs b;
	uint8_t salt[16], mac[32];
	size_t alen;
	der_writer w;
	int rc;

	if (p->cert_len > PB_P12_CERT_MAX || p->iter == 0 || p->iter > PB_PBE_ITER_MAX)
		return pb_fail(e, PB_EFAIL, "PKCS#12: certificate too large or bad iteration count");
	rc = auth_safe(p, pw, &b, &alen, e);
	if (rc == 0 && (rc = pb_random(salt, sizeof salt, e)) == 0)
		rc = compute_mac(pw, salt, sizeof salt, p->iter, b.auth, alen, mac, e);
	if (rc == 0) {
		der_writer_init(&w, out, cap);
		der_begin(&w, DER_SEQUENCE);
		der_put_uint64(&w, 3);
		der_begin(&w, DER_SEQUENCE);
		der_put_oid(&w, OID(OID_PKCS7_DATA));
		der_begin(&w, DER_CTX(0));
		der_put_octets(&w, b.auth, alen);
		der_end(&w);
		der_end(&w);
		der_begin(&w, DER_SEQUENCE);
		der_begin(&w, DER_SEQUENCE);
		der_begin(&w, DER_SEQUENCE);
		der_put_oid(&w, OID(OID_SHA256));
		der_put_null(&w);
		der_end(&w);
		der_put_octets(&w, mac, sizeof mac);
		der_end(&w);
		der_put_octets(&w, salt, sizeof salt);
		der_put_uint64(&w, p->iter);
		der_end(&w);
		der_end(&w);
		rc = finish(&w, len, "PKCS#12", e);
	}
	explicit_bzero(&b, sizeof b);
	return rc;
}
