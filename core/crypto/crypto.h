/* core/crypto/crypto.h - thin, explicit choices of BearSSL primitives.
 *
 * One place decides which BearSSL implementation is used for what, so
 * that benchmarks and callers agree: P-256 uses br_ec_p256_m31 (Debian's
 * build has no 64-bit P-256 code), P-384 br_ec_prime_i31, RSA i62 when
 * the CPU/compiler support it, else i31.
 */
#ifndef PB_CRYPTO_H
#define PB_CRYPTO_H

#include <bearssl.h>
#include <stddef.h>
#include <stdint.h>

#include "core/base/err.h"

typedef enum pb_hash {
	PB_HASH_SHA256 = 0,
	PB_HASH_SHA384
} pb_hash;

#define PB_HASH_MAX 48

size_t pb_hash_len(pb_hash h);
const br_hash_class *pb_hash_class(pb_hash h);
/* The DigestInfo OID prefix for RSA PKCS#1 v1.5 (BR_HASH_OID_*). */
const unsigned char *pb_hash_rsa_oid(pb_hash h);
void pb_hash_data(pb_hash h, const void *data, size_t len, uint8_t *out);
/* SHA-256 of the file at path, streamed: artifacts (images) may be larger
 * than pb_file_read takes. With dash_stdin, "-" is stdin. */
int pb_sha256_file(const char *path, int dash_stdin, uint8_t digest[32], pb_err *e);

const br_ec_impl *pb_ec_impl(int curve);
br_rsa_pkcs1_sign pb_rsa_sign_impl(void);
br_rsa_pkcs1_vrfy pb_rsa_vrfy_impl(void);
br_rsa_keygen pb_rsa_keygen_impl(void);

/* AES-CBC: AES-NI when the CPU has it, else the constant-time ct64 code
 * (never BearSSL's table-based "big"/"small" ones). */
const br_block_cbcenc_class *pb_aes_cbcenc_impl(void);
const br_block_cbcdec_class *pb_aes_cbcdec_impl(void);

/* Fill buf from the kernel CSPRNG (getrandom); aborts nothing, reports. */
int pb_random(void *buf, size_t len, pb_err *e);

/* An HMAC-DRBG seeded from pb_random, for BearSSL APIs that want a PRNG. */
int pb_drbg_init(br_hmac_drbg_context *ctx, pb_err *e);

#endif
