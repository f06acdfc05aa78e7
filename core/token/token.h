/* core/token/token.h - the PIN-protected softtoken (SPEC section 3, `token`).
 *
 * A token is a key pair and a self-signed certificate (its identity) in
 * a PKCS#12 file protected by the PIN, and the container keys wrapped
 * under it. Files, under the state directory (all 0600, written
 * atomically; directories 0700):
 *
 *   tokens/N.p12               the PKCS#12 (core/pkcs12.h): OpenSSL 3
 *                              defaults, opens with `openssl pkcs12`
 *   tokens/N.state             DER TokenState ::= SEQUENCE { version
 *                              INTEGER (1), failures INTEGER, lastAttempt
 *                              INTEGER (epoch s), digests SEQUENCE OF
 *                              OCTET STRING } - the failed-PIN counter
 *                              and the SHA-256 of the .p12 as provbox
 *                              wrote or last opened it (two while a PIN
 *                              change is in flight)
 *   tokens/N.lock              the lock of resource tokens/N
 *                              (core/base/lock.h): one operation on N
 *                              at a time
 *   tokens/N.containers/C.wrap "provbox-ckey-v1\n" || RFC 5649 AES-256
 *                              key wrap of the 32-byte container key C
 *
 * Wrapping secret (survives any re-export of the PKCS#12, e.g. by
 * `openssl pkcs12 -export`, because only the key pair goes into it):
 *   W     = HKDF-SHA256(salt: none, IKM: the token private key as DER
 *           PKCS#8 in canonical form (re-encoded by provbox, as `openssl
 *           pkcs8 -topk8 -nocrypt -outform DER` writes it for EC keys),
 *           info: "provbox token wrap secret v1", 32 bytes)
 *   KEK_C = HKDF-SHA256(salt: none, IKM: W,
 *           info: "provbox container key v1 " || C, 32 bytes)
 * so a container file opens only under its own token and its own name.
 *
 * PIN attempts: every attempt first counts as a failure (written before
 * the PIN is tried, so a killed process cannot skip the count); a right
 * PIN resets the counter. After PB_TOKEN_FREE_FAILURES failures each
 * attempt waits pb_token_backoff() seconds after the previous one. A
 * .p12 whose digest is not recorded and whose MAC fails is reported as
 * damaged (exit 5), not as a wrong PIN: a changed byte anywhere breaks
 * the MAC for every PIN.
 */
#ifndef PB_TOKEN_H
#define PB_TOKEN_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "core/crypto/key.h"
#include "core/pki/pkcs12.h"
#include "core/base/lock.h"
#include "core/base/secret.h"
#include "core/base/state.h"

#define PB_TOKEN_DEFAULT_NAME "device"
#define PB_TOKEN_DEV_PIN "trustme"
#define PB_TOKEN_NAME_MAX 64
#define PB_TOKEN_PIN_MIN 4
#define PB_TOKEN_FREE_FAILURES 3    /* failures without delay */
#define PB_TOKEN_DELAY_MAX 60       /* seconds: the back-off cap */
#define PB_CONTAINER_KEY_LEN 32
#define PB_CONTAINER_WRAPPED_LEN 40  /* RFC 5649 wrap of a 32-byte key */

typedef struct pb_token {
	char name[PB_TOKEN_NAME_MAX + 1];
	char dir[PATH_MAX];          /* STATE/tokens */
	char p12[PATH_MAX];
	char state[PATH_MAX];
	char base[PATH_MAX];         /* STATE/tokens/N: the lock's resource */
	char containers[PATH_MAX];
	pb_lock lock;                /* fd -1 when not locked */
} pb_token;

/* An unlocked token. Wipe with pb_token_keys_wipe. */
typedef struct pb_token_keys {
	pb_privkey key;
	uint8_t cert[PB_P12_CERT_MAX];
	size_t cert_len;
	uint8_t wrap_secret[32];
} pb_token_keys;

typedef struct pb_token_info {
	int exists;
	uint64_t failures;
	int64_t last_attempt;
} pb_token_info;

/* Token and container names: [A-Za-z0-9][A-Za-z0-9._-]*, at most 64. */
int pb_token_name_check(const char *what, const char *name, pb_err *e);

/* Name the token (no file is touched but tokens/ being created 0700). */
int pb_token_init(pb_token *t, const pb_state *st, const char *name, pb_err *e);
/* Release the lock if held. */
void pb_token_close(pb_token *t);

/* New key pair of alg, self-signed certificate "/CN=provbox token N",
 * PKCS#12 under pin. An existing token is replaced only with force. */
int pb_token_create(pb_token *t, const pb_secret *pin, pb_alg alg, int force, pb_err *e);

/* Check the PIN and open the token (exit 4 wrong PIN, 5 damaged file). */
int pb_token_unlock(pb_token *t, const pb_secret *pin, pb_token_keys *k, pb_err *e);

/* Re-protect under new_pin, atomically: a crash at any instant leaves a
 * token that opens with the old PIN or with the new one. */
int pb_token_change_pin(pb_token *t, const pb_secret *pin, const pb_secret *new_pin, pb_err *e);

/* Replace the token by the key and certificate of a PKCS#12 file
 * (protected by pin, which becomes the token PIN); re-encoded with our
 * defaults. An existing token is replaced only with force. */
int pb_token_import(pb_token *t, uint8_t *p12, size_t len, const pb_secret *pin, int force,
	pb_err *e);

/* Remove the token; its wrapped container keys too, which needs force
 * when there are any. */
int pb_token_remove(pb_token *t, int force, pb_err *e);

/* A new random container key, stored wrapped (exists: only with force). */
int pb_container_wrap(pb_token *t, const pb_secret *pin, const char *container, int force,
	pb_err *e);
/* The container key (exit 5 if the file was not wrapped by this token
 * under this name, or is damaged). */
int pb_container_unwrap(pb_token *t, const pb_secret *pin, const char *container,
	uint8_t key[PB_CONTAINER_KEY_LEN], pb_err *e);

/* STATE/tokens/N.state, DER: SEQUENCE { version INTEGER (1), failures
 * INTEGER, lastAttempt INTEGER (epoch s), digests SEQUENCE OF OCTET
 * STRING (SHA-256 of the .p12 as provbox last wrote or opened it; at most
 * two, while a PIN change is in flight) }. */
typedef struct pb_token_state {
	uint64_t failures;
	int64_t last;
	uint8_t dig[2][32];
	size_t ndig;
} pb_token_state;

/* Parse a state file's bytes; what names it in messages. Exit 5 if
 * malformed. Never touches the file. */
int pb_token_state_parse(const char *what, const uint8_t *buf, size_t len, pb_token_state *s,
	pb_err *e);

/* A container file (tokens/N.containers/C.wrap) is the magic
 * "provbox-ckey-v1\n" and the wrapped key; copy that out (exit 5 if the
 * bytes are not such a file). Unwrapping checks its integrity. */
int pb_container_parse(const uint8_t *buf, size_t len, uint8_t wrapped[PB_CONTAINER_WRAPPED_LEN],
	pb_err *e);

/* Seconds to wait before an attempt after this many failures. */
unsigned pb_token_backoff(uint64_t failures);

/* Counter and existence, without the PIN. */
int pb_token_info_get(pb_token *t, pb_token_info *info, pb_err *e);

/* Names, sorted: tokens under the state directory, containers of t.
 * fn is called once per name. */
typedef int (*pb_name_fn)(void *ctx, const char *name, pb_err *e);
int pb_token_each(const pb_state *st, pb_name_fn fn, void *ctx, pb_err *e);
int pb_container_each(const pb_token *t, pb_name_fn fn, void *ctx, pb_err *e);

void pb_token_keys_wipe(pb_token_keys *k);

#endif
