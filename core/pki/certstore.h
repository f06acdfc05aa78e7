/* core/pki/certstore.h - the certificate store (SPEC section 3, `certstore`).
 *
 * Trust anchors of three kinds (software, guestos, device) and the
 * device certificate with its chain. Files, under the state directory
 * (0600, written atomically; directories 0700):
 *
 *   certstore/index        what the store holds (the one commit point)
 *   certstore/index.lock   the lock every read-modify-write takes
 *   certstore/certs/H.der  each certificate, named by its SHA-256 (hex)
 *
 * The index is text, one record a line, strictly formatted:
 *
 *   provbox-certstore 1
 *   anchor KIND SHA256            (0..PB_CS_MAX of anchor/device lines)
 *   device-cert SHA256 KEYREF     (at most one)
 *   device-chain SHA256           (after device-cert, in order)
 *   sha256 SHA256-of-all-lines-above
 *
 * A change writes the certificate files first, then the new index, so a
 * crash leaves the old index (and at worst an unreferenced file) or the
 * new one. An index that does not parse, whose checksum is wrong, or that
 * names a file that is missing or whose digest differs, is damage: exit
 * 5, and the store is never rewritten from it. No index = an empty store.
 */
#ifndef PB_CERTSTORE_H
#define PB_CERTSTORE_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "core/base/err.h"
#include "core/base/lock.h"
#include "core/base/state.h"
#include "core/pki/chain.h"
#include "core/pki/x509.h"

#define PB_CS_MAX 64             /* records in an index */
#define PB_CS_KEYREF_MAX 256     /* longest key reference recorded */
#define PB_CS_INDEX_MAX (PB_CS_MAX * (PB_CS_KEYREF_MAX + 96) + 256)

typedef enum pb_cs_kind {
	PB_CS_SOFTWARE = 0,
	PB_CS_GUESTOS,
	PB_CS_DEVICE,
	PB_CS_KINDS
} pb_cs_kind;

const char *pb_cs_kind_name(pb_cs_kind k);
/* "software" | "guestos" | "device"; exit 2 otherwise. */
int pb_cs_kind_parse(const char *name, pb_cs_kind *k, pb_err *e);

typedef enum pb_cs_type {
	PB_CS_ANCHOR = 1,
	PB_CS_DEVICE_CERT,
	PB_CS_DEVICE_CHAIN
} pb_cs_type;

typedef struct pb_cs_record {
	pb_cs_type type;
	pb_cs_kind kind;                   /* anchors */
	uint8_t sha256[32];
	char keyref[PB_CS_KEYREF_MAX];     /* device-cert: the HAL key it belongs to */
} pb_cs_record;

typedef struct pb_cs_index {
	size_t n;
	pb_cs_record r[PB_CS_MAX];
} pb_cs_index;

/* Parse an index file's bytes (untrusted: fuzzed). Returns 0 or
 * PB_EVERIFY with the line and what is wrong. */
int pb_cs_index_parse(const uint8_t *buf, size_t len, pb_cs_index *ix, pb_err *e);
/* The file for ix into out (cap >= PB_CS_INDEX_MAX is always enough). */
int pb_cs_index_encode(const pb_cs_index *ix, char *out, size_t cap, size_t *len, pb_err *e);

typedef struct pb_certstore {
	char dir[PATH_MAX];      /* STATE/certstore */
	char certs[PATH_MAX];    /* STATE/certstore/certs */
	char index[PATH_MAX];
	pb_lock lock;
	int locked;
	int exists;              /* the index file exists */
	pb_cs_index ix;
} pb_certstore;

/* Open the store in st and read its index; with for_update, take the
 * lock first (held until pb_cs_close) so the change that follows is
 * made on what was read. Returns 0, PB_EVERIFY for a damaged index,
 * PB_EFAIL for I/O. */
int pb_cs_open(pb_certstore *cs, const pb_state *st, int for_update, pb_err *e);
void pb_cs_close(pb_certstore *cs);

/* Does a state dir hold certstore records? (for the lifecycle authority
 * check; a damaged index counts as holding some). */
int pb_cs_present(const pb_state *st);

/* Read the certificate with this digest from the store into buf and
 * check the digest. PB_EVERIFY if missing or different. */
int pb_cs_read_cert(const pb_certstore *cs, const uint8_t sha256[32], uint8_t *buf, size_t cap,
	size_t *len, pb_err *e);

/* Add an anchor (der: one certificate; must be a CA). *added = 0 when
 * it was already there (nothing written). Needs for_update. */
int pb_cs_add(pb_certstore *cs, pb_cs_kind kind, const uint8_t *der, size_t len, int *added,
	pb_err *e);
/* Remove the anchor of kind whose SHA-256 is sha256 (PB_EFAIL: none). */
int pb_cs_remove(pb_certstore *cs, pb_cs_kind kind, const uint8_t sha256[32], pb_err *e);

/* Anchors of a kind (or of every kind with kind = PB_CS_KINDS), parsed
 * into out (views into bufs, n certificates of PB_X509_MAX each). */
typedef struct pb_cs_certs {
	size_t n;
	pb_x509 c[PB_CS_MAX];
	pb_cs_kind kind[PB_CS_MAX];
	uint8_t der[PB_CS_MAX][PB_X509_MAX];
} pb_cs_certs;
int pb_cs_anchors(const pb_certstore *cs, pb_cs_kind kind, pb_cs_certs *out, pb_err *e);

/* Record the device certificate and its chain (already verified by the
 * caller). *changed = 0 when exactly these are installed already;
 * a different certificate is refused (PB_EFAIL) unless force. */
int pb_cs_install(pb_certstore *cs, const pb_x509 *cert, const pb_x509 *chain, size_t nchain,
	const char *keyref, int force, int *changed, pb_err *e);

/* Hex of a digest, and back (exit 2 for a malformed fingerprint; colons
 * between bytes are accepted, as openssl prints them). */
void pb_hex(const uint8_t *b, size_t n, char *out);
int pb_sha256_parse(const char *text, uint8_t out[32], pb_err *e);

#endif
