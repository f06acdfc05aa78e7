/* core/pki/chain.h - certification path validation (RFC 5280 section 6,
 * the parts a device's trust store needs).
 *
 * Every check is ours, on certificates parsed by core/pki/x509_parse.c;
 * BearSSL supplies only the signature primitives (pb_pubkey_verify).
 * BearSSL's X.509 engine (br_x509_minimal) was not used: it has no
 * pathLenConstraint or extendedKeyUsage checks, no "at TIME" other than
 * a day count, and no way to say which anchor kind matched.
 *
 * What is checked, on the path leaf .. anchor (an anchor is trusted as a
 * whole certificate, so it is checked like the others, as
 * `openssl verify -x509_strict` does):
 *   - each certificate is signed by the next one's key (names equal);
 *   - each is valid at the given time;
 *   - none carries a critical extension we do not know;
 *   - every certificate above the leaf is a CA: basicConstraints cA
 *     (critical), keyUsage present with keyCertSign, and its
 *     pathLenConstraint is not exceeded by the CAs below it;
 *   - with a purpose, the leaf's extendedKeyUsage (when present) lists
 *     it or anyExtendedKeyUsage.
 * Paths are searched depth first, so an anchor or intermediate with the
 * right name but another key is passed over for one that verifies.
 */
#ifndef PB_CHAIN_H
#define PB_CHAIN_H

#include <stddef.h>
#include <stdint.h>

#include "core/base/err.h"
#include "core/pki/x509.h"

#define PB_CHAIN_DEPTH 8      /* longest path, anchor included */

typedef struct pb_chain_opts {
	int64_t at;               /* validity time, seconds since the epoch */
	unsigned purpose;         /* PB_EKU_* the leaf must allow; 0 = any */
} pb_chain_opts;

/* Validate leaf against anchors (each a CA certificate), with
 * intermediates as candidates. On success *anchor is the index of the
 * anchor the path ends at (may be NULL). Returns 0, or PB_EVERIFY with
 * which certificate failed and why ("certificate /CN=x: expired at ..").
 * Never allocates. */
int pb_chain_verify(const pb_x509 *leaf, const pb_x509 *inter, size_t ninter,
	const pb_x509 *anchors, size_t nanchors, const pb_chain_opts *o, size_t *anchor,
	pb_err *e);

/* Is c usable as a CA (basicConstraints cA, keyUsage keyCertSign)?
 * 0, or PB_EVERIFY saying what is missing. */
int pb_chain_check_ca(const pb_x509 *c, pb_err *e);

/* "serverAuth" / "clientAuth" / "codeSigning" -> PB_EKU_*; exit 2 otherwise. */
int pb_purpose_parse(const char *name, unsigned *eku, pb_err *e);

/* A time for --at: seconds since the epoch ("1767225600" or "@1767225600"),
 * "YYYY-MM-DD", "YYYY-MM-DDTHH:MM:SSZ" or "YYYYMMDDHHMMSSZ" (UTC). Exit 2
 * otherwise. */
int pb_time_parse(const char *text, int64_t *t, pb_err *e);

#endif
