/* core/crypto/keywrap.h - AES key wrap with padding (RFC 5649).
 *
 * Wraps key material under a key-encryption key (16, 24 or 32 bytes)
 * with an integrity check: unwrapping under another KEK, or a changed
 * byte, fails with PB_EVERIFY. Same bytes as OpenSSL's id-aesNNN-wrap-pad
 * (`openssl enc -id-aes256-wrap-pad -iv A65959A6`).
 */
#ifndef PB_KEYWRAP_H
#define PB_KEYWRAP_H

#include <stddef.h>
#include <stdint.h>

#include "core/base/err.h"

#define PB_KWP_MAX_IN 512   /* largest plaintext we wrap */

/* Wrapped size for len bytes: 8 * ceil(len / 8) + 8 (16 for len <= 8). */
size_t pb_kwp_wrapped_len(size_t len);

/* out gets pb_kwp_wrapped_len(len) bytes. Exit 1 on bad sizes. */
int pb_kwp_wrap(const uint8_t *kek, size_t keklen, const uint8_t *in, size_t len,
	uint8_t *out, size_t cap, size_t *outlen, pb_err *e);

/* Unwrap and check; out gets at most len - 8 bytes. Exit 5 when the
 * integrity check fails (wrong KEK or altered data). */
int pb_kwp_unwrap(const uint8_t *kek, size_t keklen, const uint8_t *in, size_t len,
	uint8_t *out, size_t cap, size_t *outlen, pb_err *e);

#endif
