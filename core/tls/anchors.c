/* core/tls/anchors.c - trust anchors and certificate chains for the TLS
 * client, read with our own PEM and X.509 parsers; see tls.h. */
#include "core/tls/tls.h"

#include <stdlib.h>
#include <string.h>

#include "core/asn1/pem.h"
#include "core/pki/certstore.h"

/* Call fn for each certificate of buf: every CERTIFICATE block of a PEM
 * file (other blocks are skipped), or buf itself as one DER certificate. */
typedef int (*cert_fn)(void *ctx, const uint8_t *der, size_t len, const pb_x509 *c, pb_err *e);

static int each_cert(const uint8_t *buf, size_t len, const char *what, cert_fn fn, void *ctx,
	pb_err *e)
{
	uint8_t der[PB_X509_MAX];
	size_t pos = 0, found = 0;
	pem_block blk;
	pb_x509 c;
	int rc;

	if (!pem_detect(buf, len)) {
		if (pb_x509_parse(buf, len, &c, e) != 0)
			return pb_err_prefix(e, "%s", what);
		return fn(ctx, buf, len, &c, e);
	}
	while ((rc = pem_next((const char *)buf, len, &pos, der, sizeof der, &blk, e)) == 0) {
		if (strcmp(blk.label, "CERTIFICATE") != 0)
			continue;
		if (pb_x509_parse(blk.der, blk.len, &c, e) != 0)
			return pb_err_prefix(e, "%s: certificate %zu", what, found + 1);
		if (fn(ctx, blk.der, blk.len, &c, e) != 0)
			return e->code;
		found++;
	}
	if (rc != PEM_NONE)
		return pb_err_prefix(e, "%s", what);
	if (found == 0)
		return pb_fail(e, PB_EVERIFY, "%s: no CERTIFICATE in it", what);
	return 0;
}

static int add_anchor(void *ctx, const uint8_t *der, size_t len, const pb_x509 *c, pb_err *e)
{
	pb_tls_anchors *a = ctx;
	br_x509_trust_anchor *ta;
	pb_pubkey *k;

	(void)der;
	(void)len;
	if (a->n == PB_TLS_ANCHORS_MAX)
		return pb_fail(e, PB_EFAIL, "more than %d trust anchors", PB_TLS_ANCHORS_MAX);
	ta = &a->ta[a->n];
	k = &a->key[a->n];
	a->dn[a->n] = malloc(c->subject_len);
	if (a->dn[a->n] == NULL)
		return pb_fail(e, PB_EFAIL, "out of memory");
	memcpy(a->dn[a->n], c->subject, c->subject_len);
	*k = c->pub;
	memset(ta, 0, sizeof *ta);
	ta->dn.data = a->dn[a->n];
	ta->dn.len = c->subject_len;
	/* a non-CA anchor is trusted only as that very end-entity key */
	ta->flags = c->is_ca ? BR_X509_TA_CA : 0;
	if (pb_alg_is_ec(k->alg)) {
		ta->pkey.key_type = BR_KEYTYPE_EC;
		ta->pkey.key.ec.curve = pb_alg_curve(k->alg);
		ta->pkey.key.ec.q = k->q;
		ta->pkey.key.ec.qlen = k->qlen;
	} else {
		ta->pkey.key_type = BR_KEYTYPE_RSA;
		ta->pkey.key.rsa.n = k->n;
		ta->pkey.key.rsa.nlen = k->nlen;
		ta->pkey.key.rsa.e = k->e;
		ta->pkey.key.rsa.elen = k->elen;
	}
	a->n++;
	return 0;
}

int pb_tls_anchors_add(pb_tls_anchors *a, const uint8_t *buf, size_t len, const char *what,
	pb_err *e)
{
	return each_cert(buf, len, what, add_anchor, a, e);
}

int pb_tls_anchors_device(pb_tls_anchors *a, const char *state_dir, pb_err *e)
{
	pb_certstore *cs = calloc(1, sizeof *cs);
	pb_cs_certs *certs = calloc(1, sizeof *certs);   /* large: PB_CS_MAX certificates */
	pb_state st;
	int rc;

	if (cs == NULL || certs == NULL) {
		rc = pb_fail(e, PB_EFAIL, "out of memory");
		goto out;
	}
	rc = pb_state_open(&st, state_dir, e);
	if (rc == 0 && (rc = pb_cs_open(cs, &st, 0, e)) == 0) {
		rc = pb_cs_anchors(cs, PB_CS_DEVICE, certs, e);
		pb_cs_close(cs);
	}
	if (rc != 0) {
		pb_err_prefix(e, "certificate store");
		goto out;
	}
	if (certs->n == 0) {
		rc = pb_fail(e, PB_EUSAGE, "no --ca and no device anchor in the certificate store "
			"(certstore add --kind device CA.crt, or give --ca)");
		goto out;
	}
	for (size_t i = 0; rc == 0 && i < certs->n; i++)
		rc = pb_tls_anchors_add(a, certs->c[i].der, certs->c[i].der_len, "certstore device anchor", e);
out:
	free(certs);
	free(cs);
	return rc;
}

void pb_tls_anchors_free(pb_tls_anchors *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->dn[i]);
	a->n = 0;
}

static int add_cert(void *ctx, const uint8_t *der, size_t len, const pb_x509 *c, pb_err *e)
{
	pb_tls_chain *ch = ctx;
	unsigned char *copy;

	(void)c;
	if (ch->n == PB_TLS_CHAIN_MAX)
		return pb_fail(e, PB_EFAIL, "more than %d certificates in the chain", PB_TLS_CHAIN_MAX);
	copy = malloc(len);
	if (copy == NULL)
		return pb_fail(e, PB_EFAIL, "out of memory");
	memcpy(copy, der, len);
	ch->cert[ch->n].data = copy;
	ch->cert[ch->n].data_len = len;
	ch->n++;
	return 0;
}

int pb_tls_chain_add(pb_tls_chain *c, const uint8_t *buf, size_t len, const char *what,
	pb_err *e)
{
	return each_cert(buf, len, what, add_cert, c, e);
}

void pb_tls_chain_free(pb_tls_chain *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->cert[i].data);
	c->n = 0;
}
