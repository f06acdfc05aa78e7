/* hal/tls_signer.h - TLS client authentication by a HAL key.
 *
 * A br_ssl_client_certificate_class (BearSSL) whose CertificateVerify
 * signature is made by hal_key_sign: the private key stays in its
 * backend (TPM, TEE, KMU; file: keys are loaded by the file backend for
 * each signature, as for every other file: operation). It offers the
 * chain only with the signature algorithm the key makes everywhere:
 * ECDSA for an EC key, RSA PKCS#1 v1.5 for an RSA key, with the key's
 * own hash (pb_alg_hash: SHA-256, SHA-384 for P-384; a TPM key's scheme
 * is fixed to it). BearSSL hands do_sign the handshake hash; the
 * HAL returns the X.509 form, which is what TLS 1.2 carries (ECDSA DER,
 * RSA PKCS#1 with the DigestInfo of the negotiated hash).
 */
#ifndef PB_HAL_TLS_SIGNER_H
#define PB_HAL_TLS_SIGNER_H

#include <bearssl.h>

#include "hal/hal.h"

typedef struct hal_tls_signer {
	const br_ssl_client_certificate_class *vtable;
	hal_ctx *be;
	const hal_key_ref *ref;
	pb_alg alg;
	const br_x509_certificate *chain;
	size_t chain_len;
	int sent;          /* choose() offered the chain */
	pb_err err;        /* code != 0: why we could not authenticate */
} hal_tls_signer;

/* Set up s for the key at ref (public key pub, already read from the
 * backend) and the chain to send (leaf first). be, ref and chain must
 * outlive the handshake. Never fails. */
void hal_tls_signer_init(hal_tls_signer *s, hal_ctx *be, const hal_key_ref *ref,
	const pb_pubkey *pub, const br_x509_certificate *chain, size_t chain_len);

#endif
