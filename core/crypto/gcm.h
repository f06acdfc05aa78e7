/* core/crypto/gcm.h - AES-256-GCM over a whole buffer, in place.
 *
 * For state that must be both secret and authenticated (the simulated
 * TEE's secure storage): 12-byte IV, 16-byte tag, associated data bound
 * into the tag. BearSSL's AES-NI code when the CPU has it, else the
 * constant-time ct64 one; GHASH likewise pclmul or ctmul64.
 */
#ifndef PB_GCM_H
#define PB_GCM_H

#include <stddef.h>
#include <stdint.h>

#include "core/base/err.h"

#define PB_GCM_KEY 32
#define PB_GCM_IV 12
#define PB_GCM_TAG 16

/* Encrypt buf in place and write the tag. */
void pb_gcm_seal(const uint8_t key[PB_GCM_KEY], const uint8_t iv[PB_GCM_IV],
	const void *aad, size_t aadlen, uint8_t *buf, size_t len, uint8_t tag[PB_GCM_TAG]);

/* Check the tag and decrypt buf in place. Exit 5 (buf wiped) when the tag
 * does not match: wrong key, or any bit of iv, aad, buf or tag changed. */
int pb_gcm_open(const uint8_t key[PB_GCM_KEY], const uint8_t iv[PB_GCM_IV],
	const void *aad, size_t aadlen, uint8_t *buf, size_t len, const uint8_t tag[PB_GCM_TAG],
	pb_err *e);

#endif
