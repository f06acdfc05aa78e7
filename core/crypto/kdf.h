/* core/crypto/kdf.h - key derivation from passwords and from secrets.
 *
 *   PBKDF2         RFC 8018 section 5.2, over BearSSL HMAC (PBES2)
 *   PKCS#12 KDF    RFC 7292 appendix B.2 (PKCS#12 MAC, legacy PBEs)
 *   HKDF-SHA256    RFC 5869, BearSSL br_hkdf (token wrapping secret)
 *
 * and the password form the PKCS#12 KDF takes. Nothing here allocates;
 * every intermediate buffer is wiped before returning.
 */
#ifndef PB_KDF_H
#define PB_KDF_H

#include <stddef.h>
#include <stdint.h>

#include "core/crypto/crypto.h"
#include "core/base/err.h"
#include "core/base/secret.h"

/* Output and block size (bytes) of a BearSSL hash. */
size_t pb_hash_class_out(const br_hash_class *h);
size_t pb_hash_class_block(const br_hash_class *h);

/* PBKDF2 with HMAC-h as PRF; the password is used as bytes, as given. */
void pb_pbkdf2(const br_hash_class *h, const uint8_t *pw, size_t pwlen,
	const uint8_t *salt, size_t saltlen, uint32_t iter, uint8_t *out, size_t outlen);

/* PKCS#12 KDF purpose bytes (RFC 7292 B.3). */
#define PB_P12_KDF_KEY 1
#define PB_P12_KDF_IV  2
#define PB_P12_KDF_MAC 3

#define PB_P12_SALT_MAX 64
/* UTF-16 of a PB_SECRET_MAX secret, with its terminator */
#define PB_BMP_PW_MAX (2 * PB_SECRET_MAX + 2)

/* PKCS#12 KDF with hash h; pw is the BMPString form (pb_p12_password),
 * or empty for "no password". Exit 1 when salt or pw exceed the limits
 * above or iter is 0. */
int pb_p12_kdf(const br_hash_class *h, uint8_t id, const uint8_t *pw, size_t pwlen,
	const uint8_t *salt, size_t saltlen, uint32_t iter, uint8_t *out, size_t outlen, pb_err *e);

/* The password as the PKCS#12 KDF takes it, as OpenSSL 3 makes it:
 * UTF-8 to UTF-16BE (surrogate pairs beyond U+FFFF) with a 0x0000
 * terminator; bytes that are not valid UTF-8 are taken one by one as
 * Latin-1 (OPENSSL_asc2uni). out holds PB_BMP_PW_MAX bytes; returns the
 * length (2 for the empty password). */
size_t pb_p12_password(const pb_secret *pw, uint8_t out[PB_BMP_PW_MAX]);

/* HKDF-SHA256 (extract with salt, may be NULL = no salt; then expand
 * with info) to outlen <= 255 * 32 bytes. */
void pb_hkdf_sha256(const uint8_t *salt, size_t saltlen, const uint8_t *ikm, size_t ikmlen,
	const void *info, size_t infolen, uint8_t *out, size_t outlen);

#endif
