/* core/crypto/sigfmt.h - signature forms between backends and X.509.
 *
 * PKCS#11 CKM_ECDSA and the TPM give ECDSA as raw r||s (each the curve
 * size); X.509 wants DER SEQUENCE { INTEGER r, INTEGER s }. PKCS#11
 * CKM_RSA_PKCS signs what it is given, so the caller hands it the PKCS#1
 * v1.5 DigestInfo SEQUENCE { AlgorithmIdentifier { hash OID, NULL },
 * OCTET STRING digest } (RFC 8017 section 9.2).
 */
#ifndef PB_SIGFMT_H
#define PB_SIGFMT_H

#include <stddef.h>
#include <stdint.h>

#include "core/base/err.h"
#include "core/crypto/crypto.h"

/* ECDSA raw r||s <-> DER; exit 1 on bad sizes or a too small buffer. */
int pb_ecdsa_raw_to_der(const uint8_t *raw, size_t rawlen, uint8_t *der, size_t cap, size_t *len,
	pb_err *e);
int pb_ecdsa_der_to_raw(const uint8_t *der, size_t derlen, size_t coord_len, uint8_t *raw,
	size_t cap, size_t *len, pb_err *e);
/* PKCS#1 v1.5 DigestInfo over a digest made with h. */
int pb_digest_info(pb_hash h, const uint8_t *digest, size_t dlen, uint8_t *out, size_t cap,
	size_t *len, pb_err *e);

#endif
