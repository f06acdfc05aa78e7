/* core/pki/csr.h - PKCS#10 certification requests (RFC 2986).
 *
 * The encoder signs through a pb_signer, so the requesting key can live
 * in a TPM, a TEE, a KMU or a file: the CSR carries the signer's public
 * key and is signed by it. The parser gives views into the caller's
 * buffer, like pb_x509; pb_csr_verify checks the self-signature (the
 * proof of possession a CA must see before issuing).
 */
#ifndef PB_CSR_H
#define PB_CSR_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/base/err.h"
#include "core/crypto/key.h"
#include "core/pki/x509.h"

#define PB_CSR_MAX 8192   /* largest CSR we write or read */

/* Encode a CSR for subject (a DER Name, e.g. from pb_name_from_text),
 * with the signer's public key, optionally requesting subjectAltNames
 * (extensionRequest attribute; san NULL / 0 for none), signed by s.
 * Returns 0 with DER in out and *len its size; PB_EUSAGE for a bad SAN;
 * PB_EFAIL if out is too small or the signer fails (its message kept,
 * prefixed "signing: "). Never allocates. */
int pb_csr_encode(const uint8_t *subject, size_t subject_len, const pb_general_name *san,
	size_t san_count, const pb_signer *s, uint8_t *out, size_t cap, size_t *len, pb_err *e);

typedef struct pb_csr {
	const uint8_t *der;       /* the whole request */
	size_t der_len;
	const uint8_t *info;      /* CertificationRequestInfo TLV (signed part) */
	size_t info_len;
	const uint8_t *subject;   /* Name TLV */
	size_t subject_len;
	const uint8_t *spki;      /* SubjectPublicKeyInfo TLV */
	size_t spki_len;
	pb_pubkey pub;
	const uint8_t *san;       /* requested subjectAltName (GeneralNames content), or NULL */
	size_t san_len;
	int sig_is_ec;
	pb_hash sig_hash;
	const uint8_t *sig;
	size_t sig_len;
} pb_csr;

/* Parse one DER CSR (version 0, strict DER, known key and signature
 * algorithms, well-formed name and attributes; a requested SAN is
 * checked like a certificate's). The signature is NOT checked here.
 * Returns 0 or PB_EVERIFY. Views point into der. */
int pb_csr_parse(const uint8_t *der, size_t len, pb_csr *c, pb_err *e);

/* A CSR file's content: PEM ("CERTIFICATE REQUEST" or "NEW CERTIFICATE
 * REQUEST") decoded into scratch, or DER used in place. */
int pb_csr_load(const uint8_t *buf, size_t len, uint8_t *scratch, size_t cap, pb_csr *c,
	pb_err *e);

/* Check the self-signature. Returns 0, or PB_EVERIFY "CSR signature
 * does not verify". */
int pb_csr_verify(const pb_csr *c, pb_err *e);

/* Summary (subject, key, signature, requested SANs, public key SHA-256
 * key id), "field: value" lines. Prints no errors. */
void pb_csr_print(FILE *f, const pb_csr *c);
/* The same as one JSON object: {"subject", "key", "signature",
 * "key_identifier", "subject_alt_names": [...]} (csr --show --json). */
void pb_csr_print_json(FILE *f, const pb_csr *c);

#endif
