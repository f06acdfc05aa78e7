/* core/asn1/pem.h - PEM (RFC 7468) text <-> DER.
 *
 * Strict where it matters: a block must have matching BEGIN/END labels,
 * base64 only from the standard alphabet, correct padding, no data after
 * padding. Whitespace between base64 characters is allowed; headers
 * (Proc-Type, ...) are refused: encrypted legacy PEM is not supported.
 */
#ifndef PB_PEM_H
#define PB_PEM_H

#include <stddef.h>
#include <stdint.h>

#include "core/base/err.h"

#define PEM_LABEL_MAX 64
#define PEM_NONE (-1)               /* pem_next: no further block */

typedef struct pem_block {
	char label[PEM_LABEL_MAX];  /* "CERTIFICATE", "PRIVATE KEY", ... */
	uint8_t *der;               /* points into the caller's output buffer */
	size_t len;
} pem_block;

/* Decode the next PEM block found in text[*pos..len), writing its DER to
 * out. Returns 0 and advances *pos past the END line; PEM_NONE (negative,
 * e untouched) when no further block exists; else an exit code with e
 * set: PB_EVERIFY for malformed input, PB_EFAIL when the block's DER is
 * larger than cap ("block too large"). */
int pem_next(const char *text, size_t len, size_t *pos, uint8_t *out, size_t cap,
	pem_block *blk, pb_err *e);

/* Does the buffer look like PEM (a "-----BEGIN " line)? */
int pem_detect(const uint8_t *buf, size_t len);

/* Bytes pem_encode needs for der_len bytes (NUL included). */
size_t pem_encoded_size(const char *label, size_t der_len);

/* Encode DER as PEM with 64-column lines; out is NUL-terminated. */
int pem_encode(const char *label, const uint8_t *der, size_t der_len,
	char *out, size_t cap, size_t *out_len, pb_err *e);

/* Base64 alone (standard alphabet, padded); out NUL-terminated. */
size_t pem_base64_encode(const uint8_t *in, size_t n, char *out, size_t cap);

#endif
