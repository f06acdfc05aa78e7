/* hal/tls_signer.c - TLS client authentication by a HAL key; see tls_signer.h. */
#include "hal/tls_signer.h"

#include <string.h>

static hal_tls_signer *signer_of(const br_ssl_client_certificate_class **pctx)
{
	return (hal_tls_signer *)(void *)pctx;
}

/* The server's list of acceptable CA names does not change our choice:
 * we have one chain. */
static void ts_start_name_list(const br_ssl_client_certificate_class **pctx)
{
	(void)pctx;
}

static void ts_start_name(const br_ssl_client_certificate_class **pctx, size_t len)
{
	(void)pctx;
	(void)len;
}

static void ts_append_name(const br_ssl_client_certificate_class **pctx,
	const unsigned char *data, size_t len)
{
	(void)pctx;
	(void)data;
	(void)len;
}

static void ts_end_name(const br_ssl_client_certificate_class **pctx)
{
	(void)pctx;
}

static void ts_end_name_list(const br_ssl_client_certificate_class **pctx)
{
	(void)pctx;
}

static int hash_of_id(int id, pb_hash *h)
{
	if (id == br_sha256_ID)
		*h = PB_HASH_SHA256;
	else if (id == br_sha384_ID)
		*h = PB_HASH_SHA384;
	else
		return 0;
	return 1;
}

/* auth_types: bit x for RSA with hash x, bit 8+x for ECDSA with hash x,
 * already trimmed by BearSSL to the hashes the engine has (SHA-256/384).
 * We sign with the key's own hash only (pb_alg_hash, what CSRs and
 * certificates use): a TPM key's scheme is fixed to it, and the HAL has
 * no way to ask a backend for more. */
static void ts_choose(const br_ssl_client_certificate_class **pctx, const br_ssl_client_context *cc,
	uint32_t auth_types, br_ssl_client_certificate *choices)
{
	hal_tls_signer *s = signer_of(pctx);
	int ec = pb_alg_is_ec(s->alg);
	int h384 = pb_alg_hash(s->alg) == PB_HASH_SHA384;
	int id = h384 ? br_sha384_ID : br_sha256_ID;

	(void)cc;
	memset(choices, 0, sizeof *choices);
	choices->auth_type = ec ? BR_AUTH_ECDSA : BR_AUTH_RSA;
	choices->hash_id = id;
	if (!(auth_types & (1u << ((ec ? 8u : 0u) + (unsigned)id)))) {
		pb_fail(&s->err, PB_EFAIL, "the server accepts no signature algorithm our key makes "
			"(%s with %s)", ec ? "ECDSA" : "RSA PKCS#1 v1.5", h384 ? "SHA-384" : "SHA-256");
		return;     /* no chain: the server decides */
	}
	choices->chain = s->chain;
	choices->chain_len = s->chain_len;
	s->sent = 1;
}

/* Full static ECDH needs the private key as a scalar: never offered. */
static uint32_t ts_do_keyx(const br_ssl_client_certificate_class **pctx, unsigned char *data,
	size_t *len)
{
	(void)data;
	(void)len;
	pb_fail(&signer_of(pctx)->err, PB_EFAIL, "static ECDH client authentication is not supported");
	return 0;
}

static size_t ts_do_sign(const br_ssl_client_certificate_class **pctx, int hash_id, size_t hv_len,
	unsigned char *data, size_t len)
{
	hal_tls_signer *s = signer_of(pctx);
	uint8_t sig[PB_SIG_MAX];
	size_t siglen;
	pb_hash h;

	if (!hash_of_id(hash_id, &h) || hv_len != pb_hash_len(h)) {
		pb_fail(&s->err, PB_EFAIL, "CertificateVerify: hash %d is not one our key signs with", hash_id);
		return 0;
	}
	if (hal_key_sign(s->be, s->ref, h, data, hv_len, sig, sizeof sig, &siglen, &s->err) != 0) {
		pb_err_prefix(&s->err, "CertificateVerify signature");
		return 0;
	}
	if (siglen > len) {
		pb_fail(&s->err, PB_EFAIL, "CertificateVerify: signature of %zu bytes does not fit", siglen);
		return 0;
	}
	memcpy(data, sig, siglen);
	return siglen;
}

static const br_ssl_client_certificate_class signer_class = {
	sizeof(hal_tls_signer),
	ts_start_name_list, ts_start_name, ts_append_name, ts_end_name, ts_end_name_list,
	ts_choose, ts_do_keyx, ts_do_sign
};

void hal_tls_signer_init(hal_tls_signer *s, hal_ctx *be, const hal_key_ref *ref,
	const pb_pubkey *pub, const br_x509_certificate *chain, size_t chain_len)
{
	memset(s, 0, sizeof *s);
	s->vtable = &signer_class;
	s->be = be;
	s->ref = ref;
	s->alg = pub->alg;
	s->chain = chain;
	s->chain_len = chain_len;
}
