/* core/pki/issue.c - issuance profiles, one CSR, a threaded batch; see issue.h. */
#include "core/pki/issue.h"

#include <pthread.h>
#include <stdint.h>
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
		.not_before = o->not_before, .subject_key = &csr->pub,
		.aki = ca->ski, .aki_len = ca->ski_len};
	/* never past the CA's own end (pb_issue_cap_validity warns about it) */
	t.not_after = o->not_after < ca->not_after ? o->not_after : ca->not_after;
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

int pb_issue_cap_validity(const pb_x509 *ca, pb_issue_opts *o, int *capped, pb_err *e)
{
	char when[40];

	*capped = 0;
	if (ca->not_after <= o->not_before)
		return pb_fail(e, PB_EFAIL, "CA certificate: expired (notAfter %s)",
			pb_time_text(ca->not_after, when, sizeof when));
	if (o->not_after > ca->not_after) {
		o->not_after = ca->not_after;
		*capped = 1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* batch: CSR i goes to chunk i / PB_BATCH_CHUNK, chunk c into buffer
 * c % 2. Workers issue into one buffer while this thread commits and
 * reports the chunk in the other; a worker that reaches chunk c + 2
 * waits until chunk c is committed and its buffer free. */

typedef struct chunk_buf {
	pb_batch_item items[PB_BATCH_CHUNK];
	size_t finished;            /* items of its chunk done (under mu) */
} chunk_buf;

typedef struct batch {
	const pb_x509 *ca;
	const pb_signer *signer;
	const pb_issue_opts *o;
	const pb_batch_io *io;
	int stage;                  /* several CSRs: stage, commit per chunk */
	chunk_buf *buf;             /* [2] */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	size_t next;                /* next CSR to claim (under mu) */
	size_t committed;           /* chunks committed (under mu) */
	int stop;                   /* a commit failed: claim no more (under mu) */
	size_t bad;                 /* the committing thread's tally */
	int worst;
} batch;

static size_t chunk_size(const batch *b, size_t c)
{
	size_t left = b->io->n - c * PB_BATCH_CHUNK;

	return left < PB_BATCH_CHUNK ? left : PB_BATCH_CHUNK;
}

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
	if (rc == 0 && b->stage && it->out_path[0])
		rc = pb_atomic_stage(it->out_path, pem, plen, 0644, it->tmp_path, sizeof it->tmp_path, e);
	else if (rc == 0)
		rc = pb_write_output(it->out_path[0] ? it->out_path : NULL, pem, plen, 0644, e);
	pb_file_free(buf, len);
	return rc;
}

static void process(const batch *b, size_t i, pb_batch_item *it)
{
	it->csr_path = NULL;
	it->out_path[0] = it->tmp_path[0] = '\0';
	it->err.code = 0;
	it->err.msg[0] = '\0';
	b->io->name(b->io->ctx, i, it);
	it->rc = issue_file(b, it, &it->err);
	if (it->rc != 0)
		it->tmp_path[0] = '\0';   /* nothing staged (write_temp cleaned up) */
}

/* Make chunk c's staged certificates durable under their names (one
 * sync), then tell the caller about each of its CSRs. */
static int finish_chunk(batch *b, size_t c, pb_err *e)
{
	pb_batch_item *items = b->buf[c % 2].items;
	size_t m = chunk_size(b, c), k = 0;
	char *tmps[PB_BATCH_CHUNK] = {0};
	const char *paths[PB_BATCH_CHUNK] = {0};

	for (size_t j = 0; j < m; j++) {
		if (items[j].rc == 0 && items[j].tmp_path[0]) {
			tmps[k] = items[j].tmp_path;
			paths[k++] = items[j].out_path;
		}
	}
	if (pb_atomic_commit(tmps, paths, k, e) != 0)
		return pb_err_prefix(e, "batch stopped after %zu CSRs", c * PB_BATCH_CHUNK);
	for (size_t j = 0; j < m; j++) {
		if (items[j].rc != 0) {
			b->bad++;
			if (items[j].rc > b->worst)
				b->worst = items[j].rc;
		}
		if (b->io->done)
			b->io->done(b->io->ctx, c * PB_BATCH_CHUNK + j, &items[j]);
	}
	return 0;
}

/* Remove what chunk c staged: the batch stopped before committing it. */
static void drop_chunk(batch *b, size_t c, size_t claimed_end)
{
	pb_batch_item *items = b->buf[c % 2].items;
	size_t first = c * PB_BATCH_CHUNK;

	for (size_t i = first; i < claimed_end && i < first + chunk_size(b, c); i++)
		if (items[i - first].rc == 0 && items[i - first].tmp_path[0])
			unlink(items[i - first].tmp_path);
}

static size_t nchunks(const batch *b)
{
	return (b->io->n + PB_BATCH_CHUNK - 1) / PB_BATCH_CHUNK;
}

/* jobs == 1: issue and commit each chunk on this thread (a backend that
 * is not thread-safe signs only here). */
static int run_inline(batch *b, pb_err *e)
{
	for (size_t c = 0; c < nchunks(b); c++) {
		size_t first = c * PB_BATCH_CHUNK, m = chunk_size(b, c);

		for (size_t i = first; i < first + m; i++)
			process(b, i, &b->buf[c % 2].items[i - first]);
		if (finish_chunk(b, c, e) != 0)
			return e->code;
	}
	return 0;
}

static void *worker(void *arg)
{
	batch *b = arg;

	pthread_mutex_lock(&b->mu);
	while (!b->stop && b->next < b->io->n) {
		size_t i = b->next, c = i / PB_BATCH_CHUNK;
		chunk_buf *cb = &b->buf[c % 2];

		if (c >= b->committed + 2) {   /* the buffer still holds chunk c - 2 */
			pthread_cond_wait(&b->cv, &b->mu);
			continue;
		}
		b->next++;
		pthread_mutex_unlock(&b->mu);
		process(b, i, &cb->items[i % PB_BATCH_CHUNK]);
		pthread_mutex_lock(&b->mu);
		if (++cb->finished == chunk_size(b, c))
			pthread_cond_broadcast(&b->cv);
	}
	pthread_mutex_unlock(&b->mu);
	return NULL;
}

/* jobs threads issue; this thread commits and reports, chunk by chunk. */
static int run_threads(batch *b, unsigned jobs, pb_err *e)
{
	pthread_t th[64];
	unsigned started = 0;
	size_t c, failed = SIZE_MAX;
	int rc = 0;

	while (started < jobs && pthread_create(&th[started], NULL, worker, b) == 0)
		started++;
	if (started == 0)
		return run_inline(b, e);
	for (c = 0; c < nchunks(b) && rc == 0; c++) {
		chunk_buf *cb = &b->buf[c % 2];

		pthread_mutex_lock(&b->mu);
		while (cb->finished < chunk_size(b, c))
			pthread_cond_wait(&b->cv, &b->mu);
		pthread_mutex_unlock(&b->mu);
		rc = finish_chunk(b, c, e);
		pthread_mutex_lock(&b->mu);
		cb->finished = 0;
		if (rc == 0)
			b->committed++;
		else
			b->stop = 1, failed = c;
		pthread_cond_broadcast(&b->cv);
		pthread_mutex_unlock(&b->mu);
	}
	for (unsigned t = 0; t < started; t++)
		pthread_join(th[t], NULL);
	/* the workers are gone: what the next chunk staged is ours to remove */
	if (failed != SIZE_MAX && failed + 1 < nchunks(b))
		drop_chunk(b, failed + 1, b->next);
	return rc;
}

int pb_issue_batch(const pb_x509 *ca, const pb_signer *s, const pb_issue_opts *o,
	const pb_batch_io *io, unsigned jobs, pb_err *e)
{
	batch b = {.ca = ca, .signer = s, .o = o, .io = io, .stage = io->n > 1};
	int rc;

	if (io->n == 0)
		return 0;
	if ((b.buf = calloc(2, sizeof *b.buf)) == NULL)
		return pb_fail(e, PB_EFAIL, "out of memory");
	if (jobs > 64)
		jobs = 64;
	if (jobs > io->n)
		jobs = (unsigned)io->n;
	if (jobs > 1) {
		pthread_mutex_init(&b.mu, NULL);
		pthread_cond_init(&b.cv, NULL);
		rc = run_threads(&b, jobs, e);
		pthread_cond_destroy(&b.cv);
		pthread_mutex_destroy(&b.mu);
	} else {
		rc = run_inline(&b, e);
	}
	free(b.buf);
	if (rc != 0)
		return rc;
	if (b.bad == 0)
		return 0;
	return pb_fail(e, b.worst, "%zu of %zu CSRs refused, %zu issued", b.bad, io->n, io->n - b.bad);
}
