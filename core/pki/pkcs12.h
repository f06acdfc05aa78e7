/* core/pki/pkcs12.h - PKCS#12 (RFC 7292) files, as OpenSSL 3 writes them.
 *
 * Writing: PFX v3 whose AuthenticatedSafe holds an encryptedData safe
 * with the certificate bag and a data safe with a pkcs8ShroudedKeyBag;
 * both encrypted with PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC); the whole
 * is MAC'd with HMAC-SHA256 keyed by the PKCS#12 KDF. Bags carry
 * localKeyId (SHA-1 of the certificate, as openssl) and friendlyName.
 *
 * Reading, in three steps so that nothing is decrypted before the MAC
 * has been checked:
 *   pb_p12_parse       the outer PFX, strict DER        (exit 5 if bad)
 *   pb_p12_verify_mac  HMAC-SHA1/224/256/384/512        (exit 4 if wrong
 *                      password; exit 5 if there is no MAC: refused)
 *   pb_p12_decode      decrypts the safes IN PLACE in the caller's
 *                      buffer and collects the key and certificates
 * pb_p12_read does all three. Results are views into that buffer.
 */
#ifndef PB_PKCS12_H
#define PB_PKCS12_H

#include <stddef.h>
#include <stdint.h>

#include "core/crypto/key.h"
#include "core/crypto/pbe.h"
#include "core/base/secret.h"

#ifdef PB_FUZZ
#define PB_P12_ITER_DEFAULT 16     /* fuzz builds read at most 64 (core/crypto/pbe.h) */
#else
#define PB_P12_ITER_DEFAULT 2048   /* OpenSSL's PKCS12_DEFAULT_ITER */
#endif
#define PB_P12_MAX_CERTS 8
#define PB_P12_WRITE_MAX 16384     /* what pb_p12_write may need at most */
#define PB_P12_CERT_MAX 5888       /* largest certificate pb_p12_write takes */

typedef struct pb_p12_pfx {
	uint8_t *buf;                  /* the caller's buffer (decrypted in place) */
	size_t len;
	const uint8_t *auth_safe;      /* the MAC'd content: DER AuthenticatedSafe */
	size_t auth_safe_len;
	int has_mac;
	const br_hash_class *mac_hash;
	const uint8_t *mac, *mac_salt;
	size_t mac_len, mac_salt_len;
	uint32_t mac_iter;
	int pw_none;                   /* the MAC matched OpenSSL's NULL password */
} pb_p12_pfx;

typedef struct pb_p12_cert {
	const uint8_t *der;            /* the X.509 certificate */
	size_t len;
	const uint8_t *key_id;         /* localKeyId attribute, NULL if none */
	size_t key_id_len;
} pb_p12_cert;

typedef struct pb_p12_contents {
	int has_key;
	pb_privkey key;
	const uint8_t *key_id;         /* the key bag's localKeyId */
	size_t key_id_len;
	char friendly_name[64];        /* of the key bag (else a cert bag), ASCII */
	pb_p12_cert certs[PB_P12_MAX_CERTS];
	size_t ncerts;
} pb_p12_contents;

/* Parse the outer structure of der[0..len) (kept as pfx->buf). */
int pb_p12_parse(uint8_t *der, size_t len, pb_p12_pfx *pfx, pb_err *e);

/* Check the MAC with this password; constant-time comparison. */
int pb_p12_verify_mac(pb_p12_pfx *pfx, const pb_secret *pw, pb_err *e);

/* Decrypt and collect the bags (call only after pb_p12_verify_mac).
 * At most one private key; certificates beyond PB_P12_MAX_CERTS, CRL
 * and secret bags are refused or skipped as documented in pkcs12.c. */
int pb_p12_decode(pb_p12_pfx *pfx, const pb_secret *pw, pb_p12_contents *out, pb_err *e);

/* All three steps. */
int pb_p12_read(uint8_t *der, size_t len, const pb_secret *pw, pb_p12_contents *out, pb_err *e);

/* The certificate among out->certs whose public key is the private key's
 * (NULL if none). */
const pb_p12_cert *pb_p12_key_cert(const pb_p12_contents *c);

void pb_p12_contents_wipe(pb_p12_contents *c);

typedef struct pb_p12_write_params {
	const pb_privkey *key;
	const uint8_t *cert;           /* DER X.509 of that key */
	size_t cert_len;
	const char *friendly_name;     /* ASCII, NULL for none */
	uint32_t iter;                 /* PBKDF2 and MAC iterations */
} pb_p12_write_params;

/* Write a PFX protected by pw into out (PB_P12_WRITE_MAX is enough). */
int pb_p12_write(const pb_p12_write_params *p, const pb_secret *pw, uint8_t *out, size_t cap,
	size_t *len, pb_err *e);

#endif
