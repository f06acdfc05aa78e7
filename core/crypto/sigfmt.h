/* core/crypto/sigfmt.h - signature encodings between backends and X.509.
 *
 * A TPM and PKCS#11 (CKM_ECDSA) give an ECDSA signature as raw r||s, two
 * big-endian numbers of the curve's coordinate size; X.509, CMS and TLS
 * want DER SEQUENCE { INTEGER r, INTEGER s }. PKCS#11 CKM_RSA_PKCS signs
 * what it is given, so RSA signing over a digest needs the PKCS#1 v1.5
 * DigestInfo around it first.
 */
#ifndef PB_SIGFMT_H
#define PB_SIGFMT_H

#include <stddef.h>
#include <stdint.h>

#include "core/base/err.h"
#include "core/crypto/crypto.h"

#define PB_ECDSA_COORD_MAX 66   /* P-521 */

/* raw r||s (rawlen even, halves 1..66 bytes, neither zero) -> DER.
 * Exit 5 for a malformed signature, 1 if cap is too small. */
int pb_ecdsa_raw_to_der(const uint8_t *raw, size_t rawlen, uint8_t *der, size_t cap, size_t *len,
	pb_err *e);
/* DER (strict: minimal, positive, non-zero, nothing after it) -> r||s,
 * each left-padded to coord_len bytes; 2 * coord_len bytes out. Exit 5
 * for what is not such a signature or has a number wider than coord_len. */
int pb_ecdsa_der_to_raw(const uint8_t *der, size_t derlen, size_t coord_len, uint8_t *raw,
	size_t cap, size_t *len, pb_err *e);
/* DigestInfo ::= SEQUENCE { AlgorithmIdentifier { hash OID, NULL }, OCTET STRING digest }
 * (RFC 8017 section 9.2); dlen must be h's length. */
int pb_digest_info(pb_hash h, const uint8_t *digest, size_t dlen, uint8_t *out, size_t cap,
	size_t *len, pb_err *e);

#endif
