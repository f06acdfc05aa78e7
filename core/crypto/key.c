/* core/crypto/key.c - public and private keys; see key.h. */
#include "core/crypto/key.h"

#include <string.h>

#include "core/asn1/oid.h"
#include "core/asn1/pem.h"

static const struct {
	const char *name;
	pb_alg alg;
} alg_names[] = {
	{"ec-p256", PB_ALG_EC_P256},
	{"ec-p384", PB_ALG_EC_P384},
	{"rsa-2048", PB_ALG_RSA_2048},
	{"rsa-3072", PB_ALG_RSA_3072},
};

int pb_alg_parse(const char *name, pb_alg *alg, pb_err *e)
{
	for (size_t i = 0; i < sizeof alg_names / sizeof alg_names[0]; i++) {
		if (strcmp(name, alg_names[i].name) == 0) {
			*alg = alg_names[i].alg;
			return 0;
		}
	}
	return pb_fail(e, PB_EUSAGE, "--alg '%s': expected ec-p256, ec-p384, rsa-2048 or rsa-3072", name);
}

const char *pb_alg_name(pb_alg alg)
{
	switch (alg) {
	case PB_ALG_EC_P256: return "ec-p256";
	case PB_ALG_EC_P384: return "ec-p384";
	case PB_ALG_RSA_2048: return "rsa-2048";
	case PB_ALG_RSA_3072: return "rsa-3072";
	case PB_ALG_RSA_4096: return "rsa-4096";
	default: return "none";
	}
}

int pb_alg_is_ec(pb_alg alg)
{
	return alg == PB_ALG_EC_P256 || alg == PB_ALG_EC_P384;
}

int pb_alg_curve(pb_alg alg)
{
	return alg == PB_ALG_EC_P256 ? BR_EC_secp256r1 : alg == PB_ALG_EC_P384 ? BR_EC_secp384r1 : 0;
}

pb_hash pb_alg_hash(pb_alg alg)
{
	return alg == PB_ALG_EC_P384 ? PB_HASH_SHA384 : PB_HASH_SHA256;
}

static size_t curve_len(pb_alg alg)
{
	return alg == PB_ALG_EC_P384 ? 48 : 32;
}

/* ------------------------------------------------------------------ */
/* public keys */

int pb_pubkey_bits(const pb_pubkey *k, uint8_t *out, size_t cap, size_t *len)
{
	der_writer w;

	if (pb_alg_is_ec(k->alg)) {
		if (cap < k->qlen)
			return -1;
		memcpy(out, k->q, k->qlen);
		*len = k->qlen;
		return 0;
	}
	der_writer_init(&w, out, cap);
	der_begin(&w, DER_SEQUENCE);
	der_put_uint_bytes(&w, k->n, k->nlen);
	der_put_uint_bytes(&w, k->e, k->elen);
	der_end(&w);
	return der_writer_finish(&w, len) == DER_OK ? 0 : -1;
}

void pb_pubkey_write_spki(const pb_pubkey *k, der_writer *w)
{
	uint8_t bits[PB_RSA_MAX + 32];
	size_t n = 0;

	der_begin(w, DER_SEQUENCE);
	der_begin(w, DER_SEQUENCE);
	if (pb_alg_is_ec(k->alg)) {
		der_put_oid(w, OID(OID_EC_PUBLIC_KEY));
		if (k->alg == PB_ALG_EC_P256)
			der_put_oid(w, OID(OID_P256));
		else
			der_put_oid(w, OID(OID_P384));
	} else {
		der_put_oid(w, OID(OID_RSA_ENCRYPTION));
		der_put_null(w);
	}
	der_end(w);
	if (pb_pubkey_bits(k, bits, sizeof bits, &n) != 0)
		w->st = DER_E_WRITER_OVERFLOW;
	der_put_bits(w, bits, n, 0);
	der_end(w);
}

static int rsa_alg_for(size_t nlen, pb_alg *alg)
{
	switch (nlen) {
	case 256: *alg = PB_ALG_RSA_2048; return 0;
	case 384: *alg = PB_ALG_RSA_3072; return 0;
	case 512: *alg = PB_ALG_RSA_4096; return 0;
	default: return -1;
	}
}

static int set_rsa_pub(pb_pubkey *k, const uint8_t *n, size_t nlen, const uint8_t *ex, size_t elen, pb_err *e)
{
	while (nlen && n[0] == 0)
		n++, nlen--;
	while (elen && ex[0] == 0)
		ex++, elen--;
	if (nlen == 0 || rsa_alg_for(nlen, &k->alg) != 0)
		return pb_fail(e, PB_EVERIFY, "RSA key: unsupported modulus size (%zu bits)", nlen * 8);
	if (elen == 0 || elen > sizeof k->e || !(ex[elen - 1] & 1))
		return pb_fail(e, PB_EVERIFY, "RSA key: bad public exponent");
	memcpy(k->n, n, nlen);
	k->nlen = nlen;
	memcpy(k->e, ex, elen);
	k->elen = elen;
	return 0;
}

int pb_pubkey_parse_spki(const uint8_t *der, size_t len, pb_pubkey *k, pb_err *e)
{
	der_cursor c, spki, alg, rsa;
	der_tlv oid, param, bits, n, ex;
	const uint8_t *b;
	size_t blen;
	unsigned unused;
	der_status st;
	int present;

	memset(k, 0, sizeof *k);
	der_cursor_init(&c, der, len);
	if ((st = der_enter(&c, DER_SEQUENCE, &spki)) != DER_OK ||
	    (st = der_finish(&c)) != DER_OK ||
	    (st = der_enter(&spki, DER_SEQUENCE, &alg)) != DER_OK ||
	    (st = der_expect(&alg, DER_OID, &oid)) != DER_OK ||
	    (st = der_get_oid(&oid)) != DER_OK ||
	    (st = der_expect(&spki, DER_BIT_STRING, &bits)) != DER_OK ||
	    (st = der_finish(&spki)) != DER_OK ||
	    (st = der_get_bits(&bits, &b, &blen, &unused)) != DER_OK)
		return der_fail(e, PB_EVERIFY, st, "public key");
	if (unused != 0)
		return pb_fail(e, PB_EVERIFY, "public key: partial octet in key bits");

	if (der_oid_eq(&oid, OID(OID_EC_PUBLIC_KEY))) {
		if ((st = der_expect(&alg, DER_OID, &param)) != DER_OK || (st = der_finish(&alg)) != DER_OK)
			return der_fail(e, PB_EVERIFY, st, "EC public key parameters");
		if (der_oid_eq(&param, OID(OID_P256)))
			k->alg = PB_ALG_EC_P256;
		else if (der_oid_eq(&param, OID(OID_P384)))
			k->alg = PB_ALG_EC_P384;
		else
			return pb_fail(e, PB_EVERIFY, "EC public key: unsupported curve (P-256 and P-384 only)");
		if (blen != 1 + 2 * curve_len(k->alg) || b[0] != 0x04)
			return pb_fail(e, PB_EVERIFY, "EC public key: not an uncompressed point of the curve");
		memcpy(k->q, b, blen);
		k->qlen = blen;
		return 0;
	}
	if (der_oid_eq(&oid, OID(OID_RSA_ENCRYPTION))) {
		/* parameters: NULL (RFC 3279), tolerated absent */
		if ((st = der_optional(&alg, DER_NULL, &param, &present)) != DER_OK ||
		    (present && (st = der_get_null(&param)) != DER_OK) ||
		    (st = der_finish(&alg)) != DER_OK)
			return der_fail(e, PB_EVERIFY, st, "RSA public key parameters");
		der_cursor_init(&c, b, blen);
		c.depth = spki.depth;
		const uint8_t *nm, *em;
		size_t nl, el;
		if ((st = der_enter(&c, DER_SEQUENCE, &rsa)) != DER_OK ||
		    (st = der_finish(&c)) != DER_OK ||
		    (st = der_expect(&rsa, DER_INTEGER, &n)) != DER_OK ||
		    (st = der_expect(&rsa, DER_INTEGER, &ex)) != DER_OK ||
		    (st = der_finish(&rsa)) != DER_OK ||
		    (st = der_get_uint_bytes(&n, &nm, &nl)) != DER_OK ||
		    (st = der_get_uint_bytes(&ex, &em, &el)) != DER_OK)
			return der_fail(e, PB_EVERIFY, st, "RSA public key");
		return set_rsa_pub(k, nm, nl, em, el, e);
	}
	char txt[64];
	if (der_oid_to_text(&oid, txt, sizeof txt) != DER_OK)
		strcpy(txt, "?");
	return pb_fail(e, PB_EVERIFY, "public key: unsupported algorithm %s", txt);
}

int pb_pubkey_load(const uint8_t *buf, size_t len, pb_pubkey *k, pb_err *e)
{
	uint8_t der[PB_RSA_MAX + 256];
	pem_block blk;
	size_t pos = 0;
	int r;

	if (!pem_detect(buf, len))
		return pb_pubkey_parse_spki(buf, len, k, e);
	r = pem_next((const char *)buf, len, &pos, der, sizeof der, &blk, e);
	if (r == PEM_NONE)
		return pb_fail(e, PB_EVERIFY, "no PEM block found");
	if (r != 0)
		return r;
	if (strcmp(blk.label, "PUBLIC KEY") != 0)
		return pb_fail(e, PB_EVERIFY, "expected a PUBLIC KEY PEM block, found %s", blk.label);
	return pb_pubkey_parse_spki(blk.der, blk.len, k, e);
}

int pb_pubkey_equal(const pb_pubkey *a, const pb_pubkey *b)
{
	if (a->alg != b->alg)
		return 0;
	if (pb_alg_is_ec(a->alg))
		return a->qlen == b->qlen && memcmp(a->q, b->q, a->qlen) == 0;
	return a->nlen == b->nlen && a->elen == b->elen &&
	       memcmp(a->n, b->n, a->nlen) == 0 && memcmp(a->e, b->e, a->elen) == 0;
}

void pb_pubkey_key_id(const pb_pubkey *k, uint8_t id[20])
{
	uint8_t bits[PB_RSA_MAX + 32];
	size_t n = 0;
	br_sha1_context c;

	pb_pubkey_bits(k, bits, sizeof bits, &n);
	br_sha1_init(&c);
	br_sha1_update(&c, bits, n);
	br_sha1_out(&c, id);
}

void pb_pubkey_to_br_ec(const pb_pubkey *k, br_ec_public_key *out)
{
	out->curve = pb_alg_curve(k->alg);
	out->q = (unsigned char *)k->q;
	out->qlen = k->qlen;
}

void pb_pubkey_to_br_rsa(const pb_pubkey *k, br_rsa_public_key *out)
{
	out->n = (unsigned char *)k->n;
	out->nlen = k->nlen;
	out->e = (unsigned char *)k->e;
	out->elen = k->elen;
}

int pb_pubkey_verify(const pb_pubkey *k, pb_hash h, const uint8_t *digest, size_t dlen,
	const uint8_t *sig, size_t siglen)
{
	if (dlen != pb_hash_len(h))
		return 0;
	if (pb_alg_is_ec(k->alg)) {
		br_ec_public_key pk;

		pb_pubkey_to_br_ec(k, &pk);
		return br_ecdsa_i31_vrfy_asn1(pb_ec_impl(pk.curve), digest, dlen, &pk, sig, siglen) == 1;
	} else {
		br_rsa_public_key pk;
		uint8_t got[PB_HASH_MAX];

		if (siglen != k->nlen)
			return 0;
		pb_pubkey_to_br_rsa(k, &pk);
		if (pb_rsa_vrfy_impl()(sig, siglen, pb_hash_rsa_oid(h), dlen, &pk, got) != 1)
			return 0;
		return memcmp(got, digest, dlen) == 0;
	}
}

/* ------------------------------------------------------------------ */
/* private keys */

void pb_privkey_wipe(pb_privkey *k)
{
	explicit_bzero(k, sizeof *k);
}

void pb_privkey_to_br_ec(const pb_privkey *k, br_ec_private_key *out)
{
	out->curve = pb_alg_curve(k->alg);
	out->x = (unsigned char *)k->x;
	out->xlen = k->xlen;
}

void pb_privkey_to_br_rsa(const pb_privkey *k, br_rsa_private_key *out)
{
	out->n_bitlen = (uint32_t)(k->pub.nlen * 8);
	/* exact bit length: the top byte may not be full */
	for (uint8_t top = k->pub.n[0]; top < 0x80 && out->n_bitlen; top <<= 1)
		out->n_bitlen--;
	out->p = (unsigned char *)k->p;   out->plen = k->plen;
	out->q = (unsigned char *)k->q;   out->qlen = k->qlen;
	out->dp = (unsigned char *)k->dp; out->dplen = k->dplen;
	out->dq = (unsigned char *)k->dq; out->dqlen = k->dqlen;
	out->iq = (unsigned char *)k->iq; out->iqlen = k->iqlen;
}

/* 1 if 0 < x < n, the curve order (big-endian, same length); the
 * comparison does not branch on the secret. */
static int scalar_in_range(const uint8_t *x, const uint8_t *n, size_t len)
{
	uint32_t borrow = 0, nonzero = 0;

	/* x - n borrows exactly when x < n */
	for (size_t i = len; i-- > 0;) {
		uint32_t d = (uint32_t)x[i] - n[i] - borrow;
		borrow = (d >> 8) & 1;
		nonzero |= x[i];
	}
	return (int)(borrow & (uint32_t)(nonzero != 0));
}

static const uint8_t p256_order[32] = {
	0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
	0xBC, 0xE6, 0xFA, 0xAD, 0xA7, 0x17, 0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51
};
static const uint8_t p384_order[48] = {
	0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
	0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xC7, 0x63, 0x4D, 0x81, 0xF4, 0x37, 0x2D, 0xDF,
	0x58, 0x1A, 0x0D, 0xB2, 0x48, 0xB0, 0xA7, 0x7A, 0xEC, 0xEC, 0x19, 0x6A, 0xCC, 0xC5, 0x29, 0x73
};

/* Derive the public half of an EC key and check the scalar is in range. */
static int ec_complete(pb_privkey *k, pb_err *e)
{
	br_ec_private_key sk;
	br_ec_public_key pk;
	uint8_t buf[BR_EC_KBUF_PUB_MAX_SIZE];
	const uint8_t *order = k->alg == PB_ALG_EC_P256 ? p256_order : p384_order;

	pb_privkey_to_br_ec(k, &sk);
	if (k->xlen != curve_len(k->alg) || !scalar_in_range(k->x, order, k->xlen) ||
	    br_ec_compute_pub(pb_ec_impl(sk.curve), &pk, buf, &sk) == 0)
		return pb_fail(e, PB_EVERIFY, "EC private key: scalar out of range");
	k->pub.alg = k->alg;
	memcpy(k->pub.q, pk.q, pk.qlen);
	k->pub.qlen = pk.qlen;
	return 0;
}

int pb_privkey_generate(pb_alg alg, pb_privkey *k, pb_err *e)
{
	br_hmac_drbg_context rng;
	int rc = 0;

	memset(k, 0, sizeof *k);
	if (pb_drbg_init(&rng, e) != 0)
		return e->code;
	k->alg = alg;
	if (pb_alg_is_ec(alg)) {
		br_ec_private_key sk;
		uint8_t kbuf[BR_EC_KBUF_PRIV_MAX_SIZE];
		int curve = pb_alg_curve(alg);

		k->xlen = br_ec_keygen(&rng.vtable, pb_ec_impl(curve), &sk, kbuf, curve);
		if (k->xlen == 0 || k->xlen > sizeof k->x)
			rc = pb_fail(e, PB_EFAIL, "EC key generation failed");
		else
			memcpy(k->x, kbuf, k->xlen), rc = ec_complete(k, e);
		explicit_bzero(kbuf, sizeof kbuf);
	} else if (alg == PB_ALG_RSA_2048 || alg == PB_ALG_RSA_3072) {
		unsigned bits = alg == PB_ALG_RSA_2048 ? 2048 : 3072;
		uint8_t kpriv[BR_RSA_KBUF_PRIV_SIZE(3072)];
		uint8_t kpub[BR_RSA_KBUF_PUB_SIZE(3072)];
		br_rsa_private_key sk;
		br_rsa_public_key pk;

		if (!pb_rsa_keygen_impl()(&rng.vtable, &sk, kpriv, &pk, kpub, bits, 65537)) {
			rc = pb_fail(e, PB_EFAIL, "RSA key generation failed");
		} else {
			memcpy(k->p, sk.p, k->plen = sk.plen);
			memcpy(k->q, sk.q, k->qlen = sk.qlen);
			memcpy(k->dp, sk.dp, k->dplen = sk.dplen);
			memcpy(k->dq, sk.dq, k->dqlen = sk.dqlen);
			memcpy(k->iq, sk.iq, k->iqlen = sk.iqlen);
			rc = set_rsa_pub(&k->pub, pk.n, pk.nlen, pk.e, pk.elen, e);
		}
		explicit_bzero(kpriv, sizeof kpriv);
	} else {
		rc = pb_fail(e, PB_EUSAGE, "cannot generate a key of type %s", pb_alg_name(alg));
	}
	explicit_bzero(&rng, sizeof rng);
	if (rc != 0)
		pb_privkey_wipe(k);
	return rc;
}

/* Copy an unsigned INTEGER into dst (cap bytes), minimal. */
static der_status get_uint_into(der_cursor *c, uint8_t *dst, size_t cap, size_t *len)
{
	der_tlv t;
	const uint8_t *m;
	size_t n;
	der_status st;

	if ((st = der_expect(c, DER_INTEGER, &t)) != DER_OK ||
	    (st = der_get_uint_bytes(&t, &m, &n)) != DER_OK)
		return st;
	if (n > cap)
		return DER_E_INT_OVERFLOW;
	if (dst)
		memcpy(dst, m, n);
	*len = n;
	return DER_OK;
}

static int parse_rsa(const uint8_t *der, size_t len, pb_privkey *k, pb_err *e)
{
	der_cursor c, s;
	uint8_t n[PB_RSA_MAX], ex[8], nn[PB_RSA_MAX];
	size_t nlen, elen, dlen;
	uint64_t ver;
	der_tlv v;
	der_status st;

	der_cursor_init(&c, der, len);
	if ((st = der_enter(&c, DER_SEQUENCE, &s)) != DER_OK || (st = der_finish(&c)) != DER_OK ||
	    (st = der_expect(&s, DER_INTEGER, &v)) != DER_OK || (st = der_get_uint64(&v, &ver)) != DER_OK ||
	    (st = get_uint_into(&s, n, sizeof n, &nlen)) != DER_OK ||
	    (st = get_uint_into(&s, ex, sizeof ex, &elen)) != DER_OK ||
	    (st = get_uint_into(&s, NULL, PB_RSA_MAX, &dlen)) != DER_OK ||
	    (st = get_uint_into(&s, k->p, sizeof k->p, &k->plen)) != DER_OK ||
	    (st = get_uint_into(&s, k->q, sizeof k->q, &k->qlen)) != DER_OK ||
	    (st = get_uint_into(&s, k->dp, sizeof k->dp, &k->dplen)) != DER_OK ||
	    (st = get_uint_into(&s, k->dq, sizeof k->dq, &k->dqlen)) != DER_OK ||
	    (st = get_uint_into(&s, k->iq, sizeof k->iq, &k->iqlen)) != DER_OK ||
	    (st = der_finish(&s)) != DER_OK)
		return der_fail(e, PB_EVERIFY, st, "RSA private key");
	if (ver != 0)
		return pb_fail(e, PB_EVERIFY, "RSA private key: multi-prime keys are not supported");
	if (set_rsa_pub(&k->pub, n, nlen, ex, elen, e) != 0)
		return e->code;
	k->alg = k->pub.alg;
	/* the CRT parts must give back the stated modulus */
	br_rsa_private_key sk;
	pb_privkey_to_br_rsa(k, &sk);
	size_t got = br_rsa_compute_modulus_get_default()(NULL, &sk);
	if (got != k->pub.nlen || br_rsa_compute_modulus_get_default()(nn, &sk) != got ||
	    memcmp(nn, k->pub.n, got) != 0)
		return pb_fail(e, PB_EVERIFY, "RSA private key: primes do not match the modulus");
	return 0;
}

/* SEC1 ECPrivateKey; curve_hint is the PKCS#8 parameter (0 if none). */
static int parse_sec1(const uint8_t *der, size_t len, int curve_hint, pb_privkey *k, pb_err *e)
{
	der_cursor c, s, p;
	der_tlv v, x, t, oid;
	uint64_t ver;
	der_status st;
	int present, curve = curve_hint;
	const uint8_t *pub = NULL;
	size_t publen = 0;

	der_cursor_init(&c, der, len);
	if ((st = der_enter(&c, DER_SEQUENCE, &s)) != DER_OK || (st = der_finish(&c)) != DER_OK ||
	    (st = der_expect(&s, DER_INTEGER, &v)) != DER_OK || (st = der_get_uint64(&v, &ver)) != DER_OK ||
	    (st = der_expect(&s, DER_OCTET_STRING, &x)) != DER_OK ||
	    (st = der_optional(&s, DER_CTX(0), &t, &present)) != DER_OK)
		return der_fail(e, PB_EVERIFY, st, "EC private key");
	if (ver != 1)
		return pb_fail(e, PB_EVERIFY, "EC private key: version %llu, expected 1", (unsigned long long)ver);
	if (present) {
		int c2;
		if ((st = der_enter_tlv(&s, &t, &p)) != DER_OK || (st = der_expect(&p, DER_OID, &oid)) != DER_OK ||
		    (st = der_finish(&p)) != DER_OK)
			return der_fail(e, PB_EVERIFY, st, "EC private key parameters");
		c2 = der_oid_eq(&oid, OID(OID_P256)) ? BR_EC_secp256r1 :
		     der_oid_eq(&oid, OID(OID_P384)) ? BR_EC_secp384r1 : -1;
		if (c2 < 0 || (curve && c2 != curve))
			return pb_fail(e, PB_EVERIFY, "EC private key: unsupported or inconsistent curve");
		curve = c2;
	}
	if ((st = der_optional(&s, DER_CTX(1), &t, &present)) != DER_OK)
		return der_fail(e, PB_EVERIFY, st, "EC private key");
	if (present) {
		der_tlv bits;
		unsigned unused;
		if ((st = der_enter_tlv(&s, &t, &p)) != DER_OK || (st = der_expect(&p, DER_BIT_STRING, &bits)) != DER_OK ||
		    (st = der_finish(&p)) != DER_OK || (st = der_get_bits(&bits, &pub, &publen, &unused)) != DER_OK)
			return der_fail(e, PB_EVERIFY, st, "EC private key public part");
	}
	if ((st = der_finish(&s)) != DER_OK)
		return der_fail(e, PB_EVERIFY, st, "EC private key");
	if (curve == 0)
		return pb_fail(e, PB_EVERIFY, "EC private key: curve not given");
	k->alg = curve == BR_EC_secp256r1 ? PB_ALG_EC_P256 : PB_ALG_EC_P384;
	size_t cl = curve_len(k->alg);
	if (x.len == 0 || x.len > cl)
		return pb_fail(e, PB_EVERIFY, "EC private key: scalar has the wrong size");
	memset(k->x, 0, cl - x.len);
	memcpy(k->x + cl - x.len, x.val, x.len);
	k->xlen = cl;
	if (ec_complete(k, e) != 0)
		return e->code;
	if (pub && (publen != k->pub.qlen || memcmp(pub, k->pub.q, publen) != 0))
		return pb_fail(e, PB_EVERIFY, "EC private key: embedded public key does not match");
	return 0;
}

static int parse_pkcs8(const uint8_t *der, size_t len, pb_privkey *k, pb_err *e)
{
	der_cursor c, s, alg;
	der_tlv v, oid, param, priv;
	uint64_t ver;
	der_status st;

	der_cursor_init(&c, der, len);
	if ((st = der_enter(&c, DER_SEQUENCE, &s)) != DER_OK || (st = der_finish(&c)) != DER_OK ||
	    (st = der_expect(&s, DER_INTEGER, &v)) != DER_OK || (st = der_get_uint64(&v, &ver)) != DER_OK ||
	    (st = der_enter(&s, DER_SEQUENCE, &alg)) != DER_OK ||
	    (st = der_expect(&alg, DER_OID, &oid)) != DER_OK ||
	    (st = der_expect(&s, DER_OCTET_STRING, &priv)) != DER_OK)
		return der_fail(e, PB_EVERIFY, st, "PKCS#8 private key");
	/* [0] attributes and [1] publicKey (v2) are allowed and ignored */
	if (ver > 1)
		return pb_fail(e, PB_EVERIFY, "PKCS#8 private key: unknown version");
	if (der_oid_eq(&oid, OID(OID_EC_PUBLIC_KEY))) {
		if ((st = der_expect(&alg, DER_OID, &param)) != DER_OK || (st = der_finish(&alg)) != DER_OK)
			return der_fail(e, PB_EVERIFY, st, "PKCS#8 EC parameters");
		int curve = der_oid_eq(&param, OID(OID_P256)) ? BR_EC_secp256r1 :
		            der_oid_eq(&param, OID(OID_P384)) ? BR_EC_secp384r1 : 0;
		if (curve == 0)
			return pb_fail(e, PB_EVERIFY, "PKCS#8 EC key: unsupported curve (P-256 and P-384 only)");
		return parse_sec1(priv.val, priv.len, curve, k, e);
	}
	if (der_oid_eq(&oid, OID(OID_RSA_ENCRYPTION)))
		return parse_rsa(priv.val, priv.len, k, e);
	return pb_fail(e, PB_EVERIFY, "PKCS#8 private key: unsupported algorithm");
}

int pb_privkey_parse_der(const uint8_t *der, size_t len, pb_privkey *k, pb_err *e)
{
	der_cursor c, s;
	der_tlv t;
	uint32_t tag;
	der_status st;
	int rc;

	memset(k, 0, sizeof *k);
	/* which format: the element after the version tells */
	der_cursor_init(&c, der, len);
	if ((st = der_enter(&c, DER_SEQUENCE, &s)) != DER_OK ||
	    (st = der_expect(&s, DER_INTEGER, &t)) != DER_OK ||
	    (st = der_peek(&s, &tag)) != DER_OK)
		return der_fail(e, PB_EVERIFY, st, "private key");
	if (tag == DER_SEQUENCE)
		rc = parse_pkcs8(der, len, k, e);
	else if (tag == DER_OCTET_STRING)
		rc = parse_sec1(der, len, 0, k, e);
	else if (tag == DER_INTEGER)
		rc = parse_rsa(der, len, k, e);
	else
		rc = pb_fail(e, PB_EVERIFY, "private key: unknown format");
	if (rc != 0)
		pb_privkey_wipe(k);
	return rc;
}

int pb_privkey_load(const uint8_t *buf, size_t len, pb_privkey *k, pb_err *e)
{
	uint8_t der[4096];
	pem_block blk;
	size_t pos = 0;
	int r;

	if (!pem_detect(buf, len))
		return pb_privkey_parse_der(buf, len, k, e);
	for (;;) {
		r = pem_next((const char *)buf, len, &pos, der, sizeof der, &blk, e);
		if (r == PEM_NONE) {
			r = pb_fail(e, PB_EVERIFY, "no private key PEM block found");
			break;
		}
		if (r != 0)
			break;
		if (strcmp(blk.label, "ENCRYPTED PRIVATE KEY") == 0) {
			r = pb_fail(e, PB_EVERIFY, "encrypted private keys are not supported here");
			break;
		}
		/* skip "EC PARAMETERS" and other blocks openssl may put first */
		if (strcmp(blk.label, "PRIVATE KEY") == 0 || strcmp(blk.label, "EC PRIVATE KEY") == 0 ||
		    strcmp(blk.label, "RSA PRIVATE KEY") == 0) {
			r = pb_privkey_parse_der(blk.der, blk.len, k, e);
			break;
		}
	}
	explicit_bzero(der, sizeof der);
	return r;
}

int pb_privkey_to_pkcs8(const pb_privkey *k, uint8_t *out, size_t cap, size_t *len, pb_err *e)
{
	size_t need;

	if (pb_alg_is_ec(k->alg)) {
		br_ec_private_key sk;
		br_ec_public_key pk;

		pb_privkey_to_br_ec(k, &sk);
		pb_pubkey_to_br_ec(&k->pub, &pk);
		need = br_encode_ec_pkcs8_der(NULL, &sk, &pk);
		if (out && need <= cap)
			br_encode_ec_pkcs8_der(out, &sk, &pk);
	} else {
		br_rsa_private_key sk;
		br_rsa_public_key pk;
		uint32_t ex = 0;
		uint8_t d[PB_RSA_MAX];
		size_t dlen;

		pb_privkey_to_br_rsa(k, &sk);
		pb_pubkey_to_br_rsa(&k->pub, &pk);
		for (size_t i = 0; i < k->pub.elen; i++)
			ex = ex << 8 | k->pub.e[i];
		dlen = br_rsa_compute_privexp_get_default()(d, &sk, ex);
		if (dlen == 0)
			return pb_fail(e, PB_EFAIL, "RSA key: cannot compute private exponent");
		need = br_encode_rsa_pkcs8_der(NULL, &sk, &pk, d, dlen);
		if (out && need <= cap)
			br_encode_rsa_pkcs8_der(out, &sk, &pk, d, dlen);
		explicit_bzero(d, sizeof d);
	}
	if (out && need > cap)
		return pb_fail(e, PB_EFAIL, "private key encoding: buffer too small");
	*len = need;
	return 0;
}

int pb_privkey_sign(const pb_privkey *k, pb_hash h, const uint8_t *digest, size_t dlen,
	uint8_t *sig, size_t cap, size_t *siglen, pb_err *e)
{
	if (dlen != pb_hash_len(h))
		return pb_fail(e, PB_EFAIL, "sign: digest length %zu does not match the hash", dlen);
	if (pb_alg_is_ec(k->alg)) {
		br_ec_private_key sk;
		uint8_t tmp[160];
		size_t n;

		pb_privkey_to_br_ec(k, &sk);
		n = br_ecdsa_i31_sign_asn1(pb_ec_impl(sk.curve), pb_hash_class(h), digest, &sk, tmp);
		if (n == 0 || n > cap)
			return pb_fail(e, PB_EFAIL, "ECDSA signature failed");
		memcpy(sig, tmp, n);
		*siglen = n;
		return 0;
	}
	br_rsa_private_key sk;

	pb_privkey_to_br_rsa(k, &sk);
	if (cap < k->pub.nlen)
		return pb_fail(e, PB_EFAIL, "RSA signature: buffer too small");
	if (pb_rsa_sign_impl()(pb_hash_rsa_oid(h), digest, dlen, &sk, sig) != 1)
		return pb_fail(e, PB_EFAIL, "RSA signature failed");
	/* A CRT signature made with a wrong dp, dq or iq (a damaged key file:
	 * p*q = n is all the parser checks) is wrong modulo one prime only, and
	 * gcd(s^e - m, n) then gives that prime away: never let one out. */
	if (!pb_pubkey_verify(&k->pub, h, digest, dlen, sig, k->pub.nlen)) {
		explicit_bzero(sig, k->pub.nlen);
		return pb_fail(e, PB_EVERIFY, "RSA private key: inconsistent CRT parameters (signature does not verify)");
	}
	*siglen = k->pub.nlen;
	return 0;
}

/* ------------------------------------------------------------------ */
/* signature algorithm identifiers */

void pb_sigalg_write(pb_alg alg, pb_hash h, der_writer *w)
{
	der_begin(w, DER_SEQUENCE);
	if (pb_alg_is_ec(alg)) {
		if (h == PB_HASH_SHA384)
			der_put_oid(w, OID(OID_ECDSA_SHA384));
		else
			der_put_oid(w, OID(OID_ECDSA_SHA256));
	} else {
		if (h == PB_HASH_SHA384)
			der_put_oid(w, OID(OID_SHA384_WITH_RSA));
		else
			der_put_oid(w, OID(OID_SHA256_WITH_RSA));
		der_put_null(w);
	}
	der_end(w);
}

int pb_sigalg_parse(const der_tlv *algid, int *is_ec, pb_hash *h, pb_err *e)
{
	der_cursor c, s;
	der_tlv oid, param;
	der_status st;
	int present;

	der_cursor_init(&c, algid->raw, algid->raw_len);
	if ((st = der_enter(&c, DER_SEQUENCE, &s)) != DER_OK ||
	    (st = der_expect(&s, DER_OID, &oid)) != DER_OK ||
	    (st = der_optional(&s, DER_NULL, &param, &present)) != DER_OK ||
	    (present && (st = der_get_null(&param)) != DER_OK) ||
	    (st = der_finish(&s)) != DER_OK)
		return der_fail(e, PB_EVERIFY, st, "signature algorithm");
	if (der_oid_eq(&oid, OID(OID_ECDSA_SHA256)) || der_oid_eq(&oid, OID(OID_ECDSA_SHA384))) {
		if (present)
			return pb_fail(e, PB_EVERIFY, "signature algorithm: ECDSA with parameters");
		*is_ec = 1;
		*h = der_oid_eq(&oid, OID(OID_ECDSA_SHA384)) ? PB_HASH_SHA384 : PB_HASH_SHA256;
		return 0;
	}
	if (der_oid_eq(&oid, OID(OID_SHA256_WITH_RSA)) || der_oid_eq(&oid, OID(OID_SHA384_WITH_RSA))) {
		*is_ec = 0;
		*h = der_oid_eq(&oid, OID(OID_SHA384_WITH_RSA)) ? PB_HASH_SHA384 : PB_HASH_SHA256;
		return 0;
	}
	char txt[64];
	if (der_oid_to_text(&oid, txt, sizeof txt) != DER_OK)
		strcpy(txt, "?");
	return pb_fail(e, PB_EVERIFY, "unsupported signature algorithm %s", txt);
}

/* ------------------------------------------------------------------ */
/* signers */

int pb_signer_sign_data(const pb_signer *s, const void *data, size_t len,
	uint8_t *sig, size_t cap, size_t *siglen, pb_err *e)
{
	uint8_t digest[PB_HASH_MAX];

	pb_hash_data(s->hash, data, len, digest);
	return s->sign(s->ctx, digest, pb_hash_len(s->hash), sig, cap, siglen, e);
}

static int privkey_sign_cb(void *ctx, const uint8_t *digest, size_t dlen,
	uint8_t *sig, size_t cap, size_t *siglen, pb_err *e)
{
	const pb_privkey *k = ctx;

	return pb_privkey_sign(k, dlen == 48 ? PB_HASH_SHA384 : PB_HASH_SHA256,
		digest, dlen, sig, cap, siglen, e);
}

void pb_signer_from_privkey(pb_signer *s, const pb_privkey *k)
{
	s->pub = k->pub;
	s->hash = pb_alg_hash(k->alg);
	s->sign = privkey_sign_cb;
	s->ctx = (void *)k;
}
