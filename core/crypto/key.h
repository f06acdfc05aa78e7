/* core/crypto/key.h - public and private keys, as plain structs.
 *
 * A pb_pubkey is what any backend returns for a key (TPM, TEE, KMU or
 * file) and what certificates and CSRs carry. A pb_privkey only exists
 * for software keys (file: backend, softtoken); it is wiped with
 * pb_privkey_wipe on every path.
 *
 * Signatures are in X.509 form everywhere: ECDSA as the DER
 * SEQUENCE { r, s }, RSA as PKCS#1 v1.5 with the DigestInfo.
 */
#ifndef PB_KEY_H
#define PB_KEY_H

#include <stddef.h>
#include <stdint.h>

#include "core/crypto/crypto.h"
#include "core/asn1/der.h"
#include "core/base/err.h"

typedef enum pb_alg {
	PB_ALG_NONE = 0,
	PB_ALG_EC_P256,
	PB_ALG_EC_P384,
	PB_ALG_RSA_2048,
	PB_ALG_RSA_3072,
	PB_ALG_RSA_4096   /* read only: accepted in others' certificates */
} pb_alg;

#define PB_EC_POINT_MAX 97     /* 04 || X || Y for P-384 */
#define PB_RSA_MAX 512         /* 4096-bit modulus */
#define PB_SIG_MAX 520         /* RSA-4096 or ECDSA DER */

/* "ec-p256" -> PB_ALG_EC_P256; exit 2 with the list of names otherwise. */
int pb_alg_parse(const char *name, pb_alg *alg, pb_err *e);
const char *pb_alg_name(pb_alg alg);
int pb_alg_is_ec(pb_alg alg);
/* BearSSL curve id (BR_EC_secp256r1, ...) of an EC alg, 0 otherwise. */
int pb_alg_curve(pb_alg alg);
/* The hash a key of this alg signs with by default (SHA-384 for P-384). */
pb_hash pb_alg_hash(pb_alg alg);

typedef struct pb_pubkey {
	pb_alg alg;
	uint8_t q[PB_EC_POINT_MAX];  /* EC: uncompressed point */
	size_t qlen;
	uint8_t n[PB_RSA_MAX];       /* RSA: modulus, big-endian, minimal */
	size_t nlen;
	uint8_t e[8];                /* RSA: public exponent, minimal */
	size_t elen;
} pb_pubkey;

/* Append SubjectPublicKeyInfo to w. */
void pb_pubkey_write_spki(const pb_pubkey *k, der_writer *w);
/* Parse a SubjectPublicKeyInfo element (the whole TLV). */
int pb_pubkey_parse_spki(const uint8_t *der, size_t len, pb_pubkey *k, pb_err *e);
/* Read a public key from PEM ("PUBLIC KEY") or DER SPKI. */
int pb_pubkey_load(const uint8_t *buf, size_t len, pb_pubkey *k, pb_err *e);
int pb_pubkey_equal(const pb_pubkey *a, const pb_pubkey *b);
/* The subjectPublicKey BIT STRING content (EC point or RSAPublicKey). */
int pb_pubkey_bits(const pb_pubkey *k, uint8_t *out, size_t cap, size_t *len);
/* RFC 5280 4.2.1.2 method (1): SHA-1 of the subjectPublicKey bits. */
void pb_pubkey_key_id(const pb_pubkey *k, uint8_t id[20]);
/* 1 if sig (X.509 form) is a valid signature of digest under k. */
int pb_pubkey_verify(const pb_pubkey *k, pb_hash h, const uint8_t *digest, size_t dlen,
	const uint8_t *sig, size_t siglen);
void pb_pubkey_to_br_ec(const pb_pubkey *k, br_ec_public_key *out);
void pb_pubkey_to_br_rsa(const pb_pubkey *k, br_rsa_public_key *out);

typedef struct pb_privkey {
	pb_alg alg;
	uint8_t x[48];                    /* EC scalar, curve-size */
	size_t xlen;
	uint8_t p[PB_RSA_MAX / 2], q[PB_RSA_MAX / 2];
	uint8_t dp[PB_RSA_MAX / 2], dq[PB_RSA_MAX / 2], iq[PB_RSA_MAX / 2];
	size_t plen, qlen, dplen, dqlen, iqlen;
	pb_pubkey pub;
} pb_privkey;

void pb_privkey_wipe(pb_privkey *k);
/* A fresh random key of this alg (BearSSL keygen, HMAC-DRBG from getrandom). */
int pb_privkey_generate(pb_alg alg, pb_privkey *k, pb_err *e);
/* PKCS#8 PrivateKeyInfo, SEC1 ECPrivateKey or PKCS#1 RSAPrivateKey, as
 * DER; the public part is recomputed and, if embedded, must match. */
int pb_privkey_parse_der(const uint8_t *der, size_t len, pb_privkey *k, pb_err *e);
/* Same, from PEM ("PRIVATE KEY", "EC PRIVATE KEY", "RSA PRIVATE KEY") or DER. */
int pb_privkey_load(const uint8_t *buf, size_t len, pb_privkey *k, pb_err *e);
/* Unencrypted PKCS#8 DER; out NULL measures. */
int pb_privkey_to_pkcs8(const pb_privkey *k, uint8_t *out, size_t cap, size_t *len, pb_err *e);
/* Sign a digest; sig gets the X.509 form. */
int pb_privkey_sign(const pb_privkey *k, pb_hash h, const uint8_t *digest, size_t dlen,
	uint8_t *sig, size_t cap, size_t *siglen, pb_err *e);
void pb_privkey_to_br_ec(const pb_privkey *k, br_ec_private_key *out);
void pb_privkey_to_br_rsa(const pb_privkey *k, br_rsa_private_key *out);

/* AlgorithmIdentifier of the signature a key of this alg makes with h. */
void pb_sigalg_write(pb_alg alg, pb_hash h, der_writer *w);
/* Parse a signature AlgorithmIdentifier: which family (EC or RSA) and hash. */
int pb_sigalg_parse(const der_tlv *algid, int *is_ec, pb_hash *h, pb_err *e);

/* Something that signs: a HAL key, or a software key in tests. core/
 * encoders (X.509, PKCS#10, artifacts) take a signer, never a backend. */
typedef struct pb_signer {
	pb_pubkey pub;         /* the signer's public key (alg, key id) */
	pb_hash hash;          /* the hash it signs with */
	/* sign a digest of `hash`; sig in X.509 form */
	int (*sign)(void *ctx, const uint8_t *digest, size_t dlen,
		uint8_t *sig, size_t cap, size_t *siglen, pb_err *e);
	void *ctx;
} pb_signer;

/* Hash data with s->hash and sign it. */
int pb_signer_sign_data(const pb_signer *s, const void *data, size_t len,
	uint8_t *sig, size_t cap, size_t *siglen, pb_err *e);

/* A signer over a software key (k must outlive the signer). */
void pb_signer_from_privkey(pb_signer *s, const pb_privkey *k);

#endif
