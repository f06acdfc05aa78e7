/* core/crypto/pbe.c - PBES2 and the PKCS#12 PBEs; see pbe.h. */
#include "core/crypto/pbe.h"

#include <string.h>

#include "core/crypto/crypto.h"
#include "core/asn1/oid.h"

#define REEXPORT_HINT "re-export with AES (openssl pkcs12 -export -keypbe AES-256-CBC -certpbe AES-256-CBC)"

/* each hash by its digest OID (PKCS#12 MAC) and its HMAC OID (PBKDF2 PRF) */
static const struct hash_oids {
	const uint8_t *digest;
	size_t digest_len;
	const uint8_t *hmac;
	size_t hmac_len;
	const br_hash_class *h;
} hashes[] = {
	{OID(OID_SHA1), OID(OID_HMAC_SHA1), &br_sha1_vtable},
	{OID(OID_SHA224), OID(OID_HMAC_SHA224), &br_sha224_vtable},
	{OID(OID_SHA256), OID(OID_HMAC_SHA256), &br_sha256_vtable},
	{OID(OID_SHA384), OID(OID_HMAC_SHA384), &br_sha384_vtable},
	{OID(OID_SHA512), OID(OID_HMAC_SHA512), &br_sha512_vtable},
};

static const struct cipher {
	const uint8_t *oid;
	size_t len;
	size_t keylen;
	int des;        /* DES-EDE3 (8-byte blocks), else AES */
} ciphers[] = {
	{OID(OID_AES128_CBC), 16, 0},
	{OID(OID_AES192_CBC), 24, 0},
	{OID(OID_AES256_CBC), 32, 0},
	{OID(OID_DES_EDE3_CBC), 24, 1},
};

/* RFC 7292 appendix C; keylen 0: named, but refused */
static const struct p12pbe {
	const uint8_t *oid;
	size_t len;
	size_t keylen;
	const char *name;
} p12pbes[] = {
	{OID(OID_P12_PBE_SHA_3DES), 24, "pbeWithSHAAnd3-KeyTripleDES-CBC"},
	{OID(OID_P12_PBE_SHA_2DES), 16, "pbeWithSHAAnd2-KeyTripleDES-CBC"},
	{OID(OID_P12_PBE_SHA_RC2_40), 0, "pbeWithSHAAnd40BitRC2-CBC"},
	{OID(OID_P12_PBE_SHA_RC2_128), 0, "pbeWithSHAAnd128BitRC2-CBC"},
	{OID(OID_P12_PBE_SHA_RC4_40), 0, "pbeWithSHAAnd40BitRC4"},
	{OID(OID_P12_PBE_SHA_RC4_128), 0, "pbeWithSHAAnd128BitRC4"},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const br_hash_class *pb_pbe_hash(const der_tlv *oid, int hmac)
{
	for (size_t i = 0; i < COUNT(hashes); i++)
		if (hmac ? der_oid_eq(oid, hashes[i].hmac, hashes[i].hmac_len) :
		           der_oid_eq(oid, hashes[i].digest, hashes[i].digest_len))
			return hashes[i].h;
	return NULL;
}

void pb_pbe_pw_init(pb_pbe_pw *pw, const pb_secret *raw)
{
	pw->raw = raw;
	pw->bmp_len = pb_p12_password(raw, pw->bmp);
}

void pb_pbe_pw_wipe(pb_pbe_pw *pw)
{
	explicit_bzero(pw->bmp, sizeof pw->bmp);
	pw->bmp_len = 0;
	pw->raw = NULL;
}

int pb_pbe_iterations(const der_tlv *t, uint32_t *iter, pb_err *e)
{
	uint64_t v;
	der_status st = der_get_uint64(t, &v);

	if (st != DER_OK)
		return der_fail(e, PB_EVERIFY, st, "iteration count");
	if (v == 0 || v > PB_PBE_ITER_MAX)
		return pb_fail(e, PB_EVERIFY, "iteration count %llu out of range 1..%u",
			(unsigned long long)v, PB_PBE_ITER_MAX);
	*iter = (uint32_t)v;
	return 0;
}

/* CBC-decrypt in place, then check and drop the PKCS#7 padding. */
static int cbc_decrypt(const struct cipher *c, const uint8_t *key, uint8_t *iv,
	uint8_t *data, size_t len, size_t *plain_len, pb_err *e)
{
	size_t bs = c->des ? 8 : 16;
	unsigned pad, bad;

	if (len == 0 || len % bs != 0)
		return pb_fail(e, PB_EVERIFY, "encrypted data is not a whole number of blocks");
	if (c->des) {
		br_des_ct_cbcdec_keys k;
		br_des_ct_cbcdec_init(&k, key, c->keylen);
		br_des_ct_cbcdec_run(&k, iv, data, len);
		explicit_bzero(&k, sizeof k);
	} else {
		br_aes_gen_cbcdec_keys k;
		const br_block_cbcdec_class *cls = pb_aes_cbcdec_impl();
		cls->init(&k.vtable, key, c->keylen);
		cls->run(&k.vtable, iv, data, len);
		explicit_bzero(&k, sizeof k);
	}
	pad = data[len - 1];
	bad = pad == 0 || pad > bs;
	for (size_t i = 1; !bad && i <= pad; i++)
		bad |= data[len - i] != pad;
	if (bad)
		return pb_fail(e, PB_EVERIFY, "decryption failed: bad padding (corrupt data)");
	*plain_len = len - pad;
	return 0;
}

/* PBKDF2-params: salt, iterations, optional keyLength and prf. */
static int parse_pbkdf2(der_cursor *kdf, der_tlv *salt, uint32_t *iter,
	uint64_t *keylen, const br_hash_class **prf, pb_err *e)
{
	der_cursor p, pc;
	der_tlv it, kl, prf_alg, oid, param;
	int has_kl, has_prf, has_param;
	der_status st;

	if ((st = der_enter(kdf, DER_SEQUENCE, &p)) != DER_OK || (st = der_finish(kdf)) != DER_OK ||
	    (st = der_expect(&p, DER_OCTET_STRING, salt)) != DER_OK ||
	    (st = der_expect(&p, DER_INTEGER, &it)) != DER_OK ||
	    (st = der_optional(&p, DER_INTEGER, &kl, &has_kl)) != DER_OK ||
	    (st = der_optional(&p, DER_SEQUENCE, &prf_alg, &has_prf)) != DER_OK ||
	    (st = der_finish(&p)) != DER_OK)
		return der_fail(e, PB_EVERIFY, st, "PBKDF2 parameters");
	if (pb_pbe_iterations(&it, iter, e) != 0)
		return pb_err_prefix(e, "PBKDF2");
	*keylen = 0;
	if (has_kl && ((st = der_get_uint64(&kl, keylen)) != DER_OK))
		return der_fail(e, PB_EVERIFY, st, "PBKDF2 key length");
	*prf = &br_sha1_vtable;     /* the DEFAULT */
	if (!has_prf)
		return 0;
	if ((st = der_enter_tlv(&p, &prf_alg, &pc)) != DER_OK ||
	    (st = der_expect(&pc, DER_OID, &oid)) != DER_OK ||
	    (st = der_optional(&pc, DER_NULL, &param, &has_param)) != DER_OK ||
	    (st = der_finish(&pc)) != DER_OK)
		return der_fail(e, PB_EVERIFY, st, "PBKDF2 PRF");
	if ((*prf = pb_pbe_hash(&oid, 1)) == NULL)
		return pb_fail(e, PB_EVERIFY, "PBKDF2: unsupported PRF");
	return 0;
}

static int pbes2_decrypt(der_cursor *alg, const pb_pbe_pw *pw, uint8_t *data, size_t len,
	size_t *plain_len, pb_err *e)
{
	der_cursor params, kdf, enc;
	der_tlv kdf_oid, salt, enc_oid, ivt;
	const br_hash_class *prf = NULL;
	const struct cipher *c = NULL;
	uint8_t key[32], iv[16];
	uint32_t iter;
	uint64_t keylen;
	der_status st;
	int rc;

	if ((st = der_enter(alg, DER_SEQUENCE, &params)) != DER_OK || (st = der_finish(alg)) != DER_OK ||
	    (st = der_enter(&params, DER_SEQUENCE, &kdf)) != DER_OK ||
	    (st = der_enter(&params, DER_SEQUENCE, &enc)) != DER_OK ||
	    (st = der_finish(&params)) != DER_OK ||
	    (st = der_expect(&kdf, DER_OID, &kdf_oid)) != DER_OK ||
	    (st = der_expect(&enc, DER_OID, &enc_oid)) != DER_OK ||
	    (st = der_expect(&enc, DER_OCTET_STRING, &ivt)) != DER_OK ||
	    (st = der_finish(&enc)) != DER_OK)
		return der_fail(e, PB_EVERIFY, st, "PBES2 parameters");
	if (!der_oid_eq(&kdf_oid, OID(OID_PBKDF2)))
		return pb_fail(e, PB_EVERIFY, "PBES2: key derivation other than PBKDF2 is not supported");
	for (size_t i = 0; i < COUNT(ciphers); i++)
		if (der_oid_eq(&enc_oid, ciphers[i].oid, ciphers[i].len))
			c = &ciphers[i];
	if (c == NULL)
		return pb_fail(e, PB_EVERIFY, "PBES2: unsupported cipher (AES-CBC or DES-EDE3-CBC only): "
			REEXPORT_HINT);
	if (ivt.len != (c->des ? 8u : 16u))
		return pb_fail(e, PB_EVERIFY, "PBES2: IV has the wrong size");
	if (parse_pbkdf2(&kdf, &salt, &iter, &keylen, &prf, e) != 0)
		return e->code;
	if (keylen != 0 && keylen != c->keylen)
		return pb_fail(e, PB_EVERIFY, "PBKDF2: key length does not match the cipher");
	pb_pbkdf2(prf, pw->raw->buf, pw->raw->len, salt.val, salt.len, iter, key, c->keylen);
	memcpy(iv, ivt.val, ivt.len);
	rc = cbc_decrypt(c, key, iv, data, len, plain_len, e);
	explicit_bzero(key, sizeof key);
	return rc;
}

static int p12pbe_decrypt(der_cursor *alg, const struct p12pbe *p, const pb_pbe_pw *pw,
	uint8_t *data, size_t len, size_t *plain_len, pb_err *e)
{
	static const struct cipher des3 = {NULL, 0, 24, 1}, des2 = {NULL, 0, 16, 1};
	der_cursor params;
	der_tlv salt, it;
	uint8_t key[24], iv[8];
	uint32_t iter;
	der_status st;
	int rc;

	if ((st = der_enter(alg, DER_SEQUENCE, &params)) != DER_OK || (st = der_finish(alg)) != DER_OK ||
	    (st = der_expect(&params, DER_OCTET_STRING, &salt)) != DER_OK ||
	    (st = der_expect(&params, DER_INTEGER, &it)) != DER_OK ||
	    (st = der_finish(&params)) != DER_OK)
		return der_fail(e, PB_EVERIFY, st, "PKCS#12 PBE parameters");
	if (pb_pbe_iterations(&it, &iter, e) != 0)
		return pb_err_prefix(e, "%s", p->name);
	if (salt.len > PB_P12_SALT_MAX)
		return pb_fail(e, PB_EVERIFY, "%s: salt longer than %d bytes", p->name, PB_P12_SALT_MAX);
	rc = pb_p12_kdf(&br_sha1_vtable, PB_P12_KDF_KEY, pw->bmp, pw->bmp_len, salt.val, salt.len,
		iter, key, p->keylen, e);
	if (rc == 0)
		rc = pb_p12_kdf(&br_sha1_vtable, PB_P12_KDF_IV, pw->bmp, pw->bmp_len, salt.val,
			salt.len, iter, iv, sizeof iv, e);
	if (rc == 0)
		rc = cbc_decrypt(p->keylen == 24 ? &des3 : &des2, key, iv, data, len, plain_len, e);
	explicit_bzero(key, sizeof key);
	explicit_bzero(iv, sizeof iv);
	return rc;
}

int pb_pbe_decrypt(const der_tlv *algid, const pb_pbe_pw *pw, uint8_t *data, size_t len,
	size_t *plain_len, pb_err *e)
{
	der_cursor c, alg;
	der_tlv oid;
	der_status st;
	char text[64];

	der_cursor_init(&c, algid->raw, algid->raw_len);
	if ((st = der_enter(&c, DER_SEQUENCE, &alg)) != DER_OK ||
	    (st = der_expect(&alg, DER_OID, &oid)) != DER_OK)
		return der_fail(e, PB_EVERIFY, st, "encryption algorithm");
	if (der_oid_eq(&oid, OID(OID_PBES2)))
		return pbes2_decrypt(&alg, pw, data, len, plain_len, e);
	for (size_t i = 0; i < COUNT(p12pbes); i++) {
		const struct p12pbe *p = &p12pbes[i];
		if (!der_oid_eq(&oid, p->oid, p->len))
			continue;
		if (p->keylen == 0)
			return pb_fail(e, PB_EVERIFY, "%s is not supported: " REEXPORT_HINT, p->name);
		return p12pbe_decrypt(&alg, p, pw, data, len, plain_len, e);
	}
	if (der_oid_to_text(&oid, text, sizeof text) != DER_OK)
		strcpy(text, "?");
	return pb_fail(e, PB_EVERIFY, "unsupported encryption algorithm %s: " REEXPORT_HINT, text);
}

int pb_pbes2_new(pb_pbes2 *p, uint32_t iter, pb_err *e)
{
	p->iter = iter;
	if (pb_random(p->salt, sizeof p->salt, e) != 0 || pb_random(p->iv, sizeof p->iv, e) != 0)
		return e->code;
	return 0;
}

void pb_pbes2_write_algid(const pb_pbes2 *p, der_writer *w)
{
	der_begin(w, DER_SEQUENCE);
	der_put_oid(w, OID(OID_PBES2));
	der_begin(w, DER_SEQUENCE);
	der_begin(w, DER_SEQUENCE);
	der_put_oid(w, OID(OID_PBKDF2));
	der_begin(w, DER_SEQUENCE);
	der_put_octets(w, p->salt, sizeof p->salt);
	der_put_uint64(w, p->iter);
	der_begin(w, DER_SEQUENCE);
	der_put_oid(w, OID(OID_HMAC_SHA256));
	der_put_null(w);
	der_end(w);
	der_end(w);
	der_end(w);
	der_begin(w, DER_SEQUENCE);
	der_put_oid(w, OID(OID_AES256_CBC));
	der_put_octets(w, p->iv, sizeof p->iv);
	der_end(w);
	der_end(w);
	der_end(w);
}

int pb_pbes2_encrypt(const pb_pbes2 *p, const pb_secret *pw, const uint8_t *in, size_t len,
	uint8_t *out, size_t cap, size_t *outlen, pb_err *e)
{
	br_aes_gen_cbcenc_keys k;
	const br_block_cbcenc_class *cls = pb_aes_cbcenc_impl();
	size_t pad = 16 - len % 16;
	uint8_t key[32], iv[16];

	if (cap < len + pad)
		return pb_fail(e, PB_EFAIL, "PBES2: output buffer too small");
	memmove(out, in, len);
	memset(out + len, (int)pad, pad);
	pb_pbkdf2(&br_sha256_vtable, pw->buf, pw->len, p->salt, sizeof p->salt, p->iter, key, sizeof key);
	memcpy(iv, p->iv, sizeof iv);
	cls->init(&k.vtable, key, sizeof key);
	cls->run(&k.vtable, iv, out, len + pad);
	*outlen = len + pad;
	explicit_bzero(&k, sizeof k);
	explicit_bzero(key, sizeof key);
	return 0;
}
