/* core/pki/issue.h - certificate issuance: profiles, one CSR, a batch.
 *
 * What a CA does with a CSR, apart from any command line: check the CA
 * (a CA certificate whose key the signer holds), check the CSR's
 * self-signature, build the certificate of a profile and sign it
 * through the CA's pb_signer. A batch issues many CSR files in one
 * process on several threads (the signer must be thread-safe: the
 * file: backend is); a bad CSR is skipped and reported, the others
 * are issued.
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

/* One CSR file of a batch and what became of it. */
typedef struct pb_batch_item {
	const char *csr_path;
	char out_path[PATH_MAX];   /* "": stdout */
	char tmp_path[PATH_MAX];   /* staged output until the batch commits */
	int rc;                    /* 0 issued; else the exit code, message in err */
	pb_err err;
} pb_batch_item;

/* Issue a certificate for each item: read csr_path, parse, verify,
 * issue, write out_path (0644, atomically; "" = stdout). jobs threads
 * (1 = this thread only). With more than one item the files are staged
 * and made durable together at the end (pb_atomic_commit: one sync). Every item gets its own rc/err; the call
 * returns 0 if all were issued, else the highest item code, with e
 * saying how many were refused. Never stops at a bad CSR. */
int pb_issue_batch(const pb_x509 *ca, const pb_signer *s, const pb_issue_opts *o,
	pb_batch_item *items, size_t n, unsigned jobs, pb_err *e);

#endif
