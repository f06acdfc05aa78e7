/* core/pki/issue.h - certificate issuance: profiles, one CSR, a batch.
 *
 * What a CA does with a CSR, apart from any command line: check the CA
 * (a CA certificate whose key the signer holds), check the CSR's
 * self-signature, build the certificate of a profile and sign it
 * through the CA's pb_signer. A batch issues many CSR files in one
 * process on several threads (the signer must be thread-safe: the
 * file: backend is), streamed in chunks so that memory does not grow
 * with the batch; a bad CSR is skipped and reported, the others are
 * issued.
 */
#ifndef PB_ISSUE_H
#define PB_ISSUE_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "core/pki/csr.h"
#include "core/base/err.h"
#include "core/crypto/key.h"
#include "core/pki/x509.h"

typedef enum pb_profile {
	PB_PROFILE_DEVICE = 0,   /* digitalSignature; clientAuth */
	PB_PROFILE_SERVER,       /* digitalSignature (+keyEncipherment for RSA); serverAuth; SAN */
	PB_PROFILE_GUESTOS,      /* digitalSignature; codeSigning */
	PB_PROFILE_SUBCA,        /* CA, pathlen 0; keyCertSign, cRLSign */
	PB_PROFILE_ROOTCA        /* CA, pathlen 1; keyCertSign, cRLSign (init and selfsign) */
} pb_profile;

/* "device" | "server" | "guestos" | "subca" (| "rootca" when allow_root).
 * Returns 0 or PB_EUSAGE listing the names. */
int pb_profile_parse(const char *name, int allow_root, pb_profile *p, pb_err *e);

/* Set the template's CA flag, pathlen, keyUsage and EKU for profile p
 * and a subject key of alg. Leaves every other field alone. */
void pb_profile_apply(pb_profile p, pb_alg alg, pb_cert_tmpl *t);

/* The CA certificate can issue (basicConstraints CA, keyCertSign if
 * keyUsage is present) and s holds its key. Returns 0; PB_EFAIL with
 * why otherwise. */
int pb_ca_check(const pb_x509 *ca, const pb_signer *s, pb_err *e);

typedef struct pb_issue_opts {
	pb_profile profile;
	int64_t not_before;
	int64_t not_after;
	const pb_general_name *san;   /* NULL: the CSR's requested SAN; for
	                               * server with none, the CN as DNS name */
	size_t san_count;
	int der;                      /* write DER instead of PEM */
} pb_issue_opts;

/* Issue one certificate for a parsed CSR: verifies the CSR signature
 * first (PB_EVERIFY if bad), then encodes and signs (DER into out).
 * Needs a CA accepted by pb_ca_check. Thread-safe if s is. */
int pb_issue_csr(const pb_x509 *ca, const pb_signer *s, const pb_csr *csr,
	const pb_issue_opts *o, uint8_t *out, size_t cap, size_t *len, pb_err *e);

/* DER certificate -> what goes into a file: PEM (unless der) in out.
 * Returns 0 or PB_EFAIL when cap is short. */
int pb_cert_output(const uint8_t *der, size_t len, int as_der, char *out, size_t cap,
	size_t *out_len, pb_err *e);

/* Cap o->not_after at the CA's notAfter: no certificate outlives its
 * issuer. *capped = 1 if it did (the caller warns once). PB_EFAIL when
 * the CA has expired by o->not_before. pb_issue_csr caps as well,
 * silently, so that no path issues past the CA. */
int pb_issue_cap_validity(const pb_x509 *ca, pb_issue_opts *o, int *capped, pb_err *e);

/* One CSR file of a batch and what became of it. */
typedef struct pb_batch_item {
	const char *csr_path;
	char out_path[PATH_MAX];   /* "": stdout */
	char tmp_path[PATH_MAX];   /* staged output until its chunk commits */
	int rc;                    /* 0 issued; else the exit code, message in err */
	pb_err err;
} pb_batch_item;

/* The CSRs of a batch, as the caller names them. */
typedef struct pb_batch_io {
	size_t n;
	/* Set it->csr_path and it->out_path for CSR i. Called on worker
	 * threads, so it must be thread-safe (a pure function of i). */
	void (*name)(void *ctx, size_t i, pb_batch_item *it);
	/* Told the fate of each CSR once its certificate is durable (or it
	 * was refused): in index order, on one thread, never concurrently. */
	void (*done)(void *ctx, size_t i, const pb_batch_item *it);
	void *ctx;
} pb_batch_io;

/* CSRs are issued and committed in chunks of this many: what a batch
 * holds in memory is two chunks, whatever the number of CSRs. */
#define PB_BATCH_CHUNK 128

/* Issue a certificate for each of io->n CSRs: read, parse, verify,
 * issue, write out_path (0644, atomically; "" = stdout). Streamed: one
 * chunk is issued on `jobs` threads while the one before is committed
 * (pb_atomic_commit, one sync per chunk) and reported, so memory stays
 * bounded; with jobs == 1 everything runs on the calling thread. A
 * single CSR is written with pb_write_output. Returns 0 if all were
 * issued, else the highest item code, with e saying how many were
 * refused; never stops at a bad CSR. A failed commit stops the batch
 * (PB_EFAIL): what was reported done is durable, nothing else is left. */
int pb_issue_batch(const pb_x509 *ca, const pb_signer *s, const pb_issue_opts *o,
	const pb_batch_io *io, unsigned jobs, pb_err *e);

#endif
