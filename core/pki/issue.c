/* core/pki/issue.c - issuance profiles, one CSR, a threaded batch; see issue.h. */
#include "core/pki/issue.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/base/file.h"
#include "core/asn1/name.h"
#include "core/asn1/oid.h"
#include "core/asn1/pem.h"

static const char *const profile_names[] = {"device", "server", "guestos", "subca", "rootca"};

int pb_profile_parse(const char *name, int allow_root, pb_profile *p, pb_err *e)
{
	int n = allow_root ? PB_PROFILE_ROOTCA : PB_PROFILE_SUBCA;

	for (int i = 0; i <= n; i++) {
		if (strcmp(name, profile_names[i]) == 0) {
			*p = (pb_profile)i;
			return 0;
		}
	}
	return pb_fail(e, PB_EUSAGE, "--profile '%s': expected device, server, guestos%s", name,
		allow_root ? ", subca or rootca" : " or subca");
}

void pb_profile_apply(pb_profile p, pb_alg alg, pb_cert_tmpl *t)
{
	t->is_ca = p == PB_PROFILE_SUBCA || p == PB_PROFILE_ROOTCA;
	t->pathlen = p == PB_PROFILE_SUBCA ? 0 : p == PB_PROFILE_ROOTCA ? 1 : -1;
	t->key_usage = t->is_ca ? PB_KU_KEY_CERT_SIGN | PB_KU_CRL_SIGN : PB_KU_DIGITAL_SIGNATURE;
	/* TLS with an RSA server key may still use key transport */
	if (p == PB_PROFILE_SERVER && !pb_alg_is_ec(alg))
		t->key_usage |= PB_KU_KEY_ENCIPHERMENT;
	t->ext_key_usage = p == PB_PROFILE_DEVICE ? PB_EKU_CLIENT_AUTH :
		p == PB_PROFILE_SERVER ? PB_EKU_SERVER_AUTH :
		p == PB_PROFILE_GUESTOS ? PB_EKU_CODE_SIGNING : 0;
}

int pb_ca_check(const pb_x509 *ca, const pb_signer *s, pb_err *e)
{
	if (!(ca->has & PB_X509_HAS_BC) || !ca->is_ca)
		return pb_fail(e, PB_EFAIL, "CA certificate: not a CA (basicConstraints)");
	if ((ca->has & PB_X509_HAS_KU) && !(ca->key_usage & PB_KU_KEY_CERT_SIGN))
		return pb_fail(e, PB_EFAIL, "CA certificate: keyUsage lacks keyCertSign");
	if (!pb_pubkey_equal(&ca->pub, &s->pub))
		return pb_fail(e, PB_EFAIL, "CA key does not match the CA certificate");
	return 0;
}

/* The SANs to write: the options', else the CSR's (names we can write),
 * else for a server its CN. */
static size_t pick_san(const pb_csr *csr, const pb_issue_opts *o, pb_general_name *out)
{
	pb_general_name gn;
	size_t n = 0, pos = 0;

	if (o->san_count) {
		memcpy(out, o->san, o->san_count * sizeof *out);
		return o->san_count;
	}
	while (n < PB_SAN_MAX && pb_x509_san_next(csr->san, csr->san_len, &pos, &gn))
		if (gn.type == PB_GN_DNS || gn.type == PB_GN_URI || gn.type == PB_GN_EMAIL)
			out[n++] = gn;
	if (n == 0 && o->profile == PB_PROFILE_SERVER &&
	    pb_name_find(csr->subject, csr->subject_len, OID(OID_AT_CN), &out[0].val, &out[0].len)) {
		out[0].type = PB_GN_DNS;
		n = 1;
	}
	return n;
}

int pb_issue_csr(const pb_x509 *ca, const pb_signer *s, const pb_csr *csr,
	const pb_issue_opts *o, uint8_t *out, size_t cap, size_t *len, pb_err *e)
{
	pb_general_name san[PB_SAN_MAX];
	uint8_t serial[PB_SERIAL_LEN];
	pb_cert_tmpl t;

	if (pb_csr_verify(csr, e) != 0)
		return e->code;
	/* a sub CA under a pathlen 0 CA would be a chain no verifier accepts */
	if (o->profile == PB_PROFILE_SUBCA && ca->pathlen == 0)
		return pb_fail(e, PB_EFAIL, "CA certificate: pathlen 0, it cannot issue a sub CA");
	if (pb_x509_random_serial(serial, e) != 0)
		return e->code;
	/* aki: the CA's own identifier (NULL: computed from its key) */
	t = (pb_cert_tmpl){.serial = serial, .serial_len = sizeof serial, .issuer = ca->subject,
		.issuer_len = ca->subject_len, .subject = csr->subject, .subject_len = csr->subject_len,
		.not_before = o->not_before, .not_after = o->not_after, .subject_key = &csr->pub,
		.aki = ca->ski, .aki_len = ca->ski_len};
	pb_profile_apply(o->profile, csr->pub.alg, &t);
	t.san = san;
	t.san_count = pick_san(csr, o, san);
	if (t.san_count == 0 && o->profile == PB_PROFILE_SERVER)
		return pb_fail(e, PB_EVERIFY, "server certificate: no DNS name (no SAN requested, no CN)");
	return pb_x509_encode(&t, s, out, cap, len, e);
}

int pb_cert_output(const uint8_t *der, size_t len, int as_der, char *out, size_t cap,
	size_t *out_len, pb_err *e)
{
	if (!as_der)
		return pem_encode("CERTIFICATE", der, len, out, cap, out_len, e);
	if (cap < len)
		return pb_fail(e, PB_EFAIL, "certificate: output buffer too small");
	memcpy(out, der, len);
	*out_len = len;
	return 0;
}

/* ------------------------------------------------------------------ */
/* batch */

typedef struct batch {
	const pb_x509 *ca;
	const pb_signer *signer;
	const pb_issue_opts *o;
	pb_batch_item *items;
	size_t n;
	atomic_size_t next;
} batch;

static int issue_file(const batch *b, pb_batch_item *it, pb_err *e)
{
	uint8_t scratch[PB_CSR_MAX], der[PB_X509_MAX];
	char pem[PB_X509_MAX * 4 / 3 + 256];
	uint8_t *buf;
	size_t len, dlen, plen;
	pb_csr csr;
	int rc;

	if (pb_file_read(it->csr_path, PB_CSR_MAX * 2, &buf, &len, e) != 0)
		return e->code;
	rc = pb_csr_load(buf, len, scratch, sizeof scratch, &csr, e);
	if (rc == 0)
		rc = pb_issue_csr(b->ca, b->signer, &csr, b->o, der, sizeof der, &dlen, e);
	if (rc == 0)
		rc = pb_cert_output(der, dlen, b->o->der, pem, sizeof pem, &plen, e);
	if (rc == 0 && b->n > 1 && it->out_path[0])
		rc = pb_atomic_stage(it->out_path, pem, plen, 0644, it->tmp_path, sizeof it->tmp_path, e);
	else if (rc == 0)
		rc = pb_write_output(it->out_path[0] ? it->out_path : NULL, pem, plen, 0644, e);
	pb_file_free(buf, len);
	return rc;
}

static void *worker(void *arg)
{
	batch *b = arg;
	size_t i;

	while ((i = atomic_fetch_add(&b->next, 1)) < b->n) {
		pb_batch_item *it = &b->items[i];
		it->err.code = 0;
		it->err.msg[0] = '\0';
		it->rc = issue_file(b, it, &it->err);
	}
	return NULL;
}

/* Make every staged certificate durable under its name, in one sync. */
static int commit_staged(pb_batch_item *items, size_t n, pb_err *e)
{
	char **tmps = calloc(n, sizeof *tmps);
	const char **paths = calloc(n, sizeof *paths);
	size_t k = 0;
	int rc = 0;

	if (tmps == NULL || paths == NULL) {
		free(tmps);
		free(paths);
		for (size_t i = 0; i < n; i++)
			if (items[i].tmp_path[0])
				unlink(items[i].tmp_path);
		return pb_fail(e, PB_EFAIL, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		if (items[i].rc == 0 && items[i].tmp_path[0]) {
			tmps[k] = items[i].tmp_path;
			paths[k++] = items[i].out_path;
		}
	}
	rc = pb_atomic_commit(tmps, paths, k, e);
	free(tmps);
	free(paths);
	return rc;
}

int pb_issue_batch(const pb_x509 *ca, const pb_signer *s, const pb_issue_opts *o,
	pb_batch_item *items, size_t n, unsigned jobs, pb_err *e)
{
	batch b = {ca, s, o, items, n, 0};
	pthread_t th[64];
	unsigned started = 0;
	size_t bad = 0;
	int worst = 0;

	if (jobs > 64)
		jobs = 64;
	if (jobs > n)
		jobs = (unsigned)n;
	/* this thread is one of the workers */
	while (started + 1 < jobs && pthread_create(&th[started], NULL, worker, &b) == 0)
		started++;
	worker(&b);
	for (unsigned i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	if (commit_staged(items, n, e) != 0)
		return e->code;
	for (size_t i = 0; i < n; i++) {
		if (items[i].rc != 0) {
			bad++;
			if (items[i].rc > worst)
				worst = items[i].rc;
		}
	}
	if (bad == 0)
		return 0;
	return pb_fail(e, worst, "%zu of %zu CSRs refused, %zu issued", bad, n, n - bad);
}
