/* core/crypto/pbe.h - password-based encryption as PKCS#12 files use it.
 *
 * Decrypts what OpenSSL writes and re-exports:
 *   PBES2 (RFC 8018): PBKDF2 with HMAC-SHA1/224/256/384/512, then
 *     AES-128/192/256-CBC or DES-EDE3-CBC          (OpenSSL 3 default)
 *   pbeWithSHAAnd3-KeyTripleDES-CBC, ...2-KeyTripleDES-CBC (RFC 7292
 *     appendix C, PKCS#12 KDF over SHA-1)          (`-legacy`, OpenSSL 1.x)
 * RC2 and RC4 PBEs are named and refused ("re-export with AES"); any
 * other algorithm is refused with its OID. Encrypts only with PBES2,
 * PBKDF2-HMAC-SHA256 and AES-256-CBC.
 *
 * Passwords as OpenSSL 3 uses them: PBES2 takes the bytes as given
 * (UTF-8), the PKCS#12 KDF their BMPString form (core/kdf.h).
 */
#ifndef PB_PBE_H
#define PB_PBE_H

#include <stddef.h>
#include <stdint.h>

#include "core/asn1/der.h"
#include "core/base/err.h"
#include "core/crypto/kdf.h"
#include "core/base/secret.h"

/* Iteration counts above this are refused (a hostile file must not make
 * us spin for minutes). Fuzz builds cap much lower to stay fast: their
 * corpus holds files made with `openssl pkcs12 -noiter -nomaciter`. */
#ifdef PB_FUZZ
#define PB_PBE_ITER_MAX 64u
#else
#define PB_PBE_ITER_MAX 2000000u
#endif

/* A password in both forms PKCS#12 needs. bmp_len 0 is OpenSSL's "no
 * password" (NULL), distinct from the empty one (bmp = 00 00). */
typedef struct pb_pbe_pw {
	const pb_secret *raw;
	uint8_t bmp[PB_BMP_PW_MAX];
	size_t bmp_len;
} pb_pbe_pw;

void pb_pbe_pw_init(pb_pbe_pw *pw, const pb_secret *raw);
void pb_pbe_pw_wipe(pb_pbe_pw *pw);

/* Decrypt data in place as the AlgorithmIdentifier algid says and drop
 * the padding: *plain_len bytes of plaintext remain at data. Exit 5 for
 * malformed parameters, unsupported algorithms and bad padding. */
int pb_pbe_decrypt(const der_tlv *algid, const pb_pbe_pw *pw, uint8_t *data, size_t len,
	size_t *plain_len, pb_err *e);

/* The SHA-1/SHA-2 hash an OID names: its digest OID (hmac 0) or its
 * HMAC OID (hmac 1); NULL if none. */
const br_hash_class *pb_pbe_hash(const der_tlv *oid, int hmac);

/* An iteration count INTEGER, checked against 1..PB_PBE_ITER_MAX (exit 5). */
int pb_pbe_iterations(const der_tlv *t, uint32_t *iter, pb_err *e);

/* PBES2 parameters for one encryption: fresh salt and IV. */
typedef struct pb_pbes2 {
	uint8_t salt[16];
	uint8_t iv[16];
	uint32_t iter;
} pb_pbes2;

int pb_pbes2_new(pb_pbes2 *p, uint32_t iter, pb_err *e);
/* The AlgorithmIdentifier { PBES2, { PBKDF2 {salt, iter, HMAC-SHA256}, AES-256-CBC {iv} } }. */
void pb_pbes2_write_algid(const pb_pbes2 *p, der_writer *w);
/* Encrypt in into out with PKCS#7 padding; needs cap >= len + 16. */
int pb_pbes2_encrypt(const pb_pbes2 *p, const pb_secret *pw, const uint8_t *in, size_t len,
	uint8_t *out, size_t cap, size_t *outlen, pb_err *e);

#endif
