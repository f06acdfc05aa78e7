/* sim/tee.h - simulated TEE secure storage (SIM=1 builds only).
 *
 * Behaves like OP-TEE's REE FS secure storage behind its PKCS#11 TA: one
 * token (label, serial, SO PIN, user PIN), key objects in files under
 * STATE/tee (as /var/lib/tee), each encrypted and authenticated with
 * AES-256-GCM under a storage key derived (HKDF-SHA256) from a per-device
 * secret, STATE/tee/huk (the simulated hardware unique key: like the rest
 * of the simulated hardware it lives in the state dir). An index file,
 * STATE/tee/dirf.db (OP-TEE's name), lists the objects with the SHA-256 of
 * each object file, so an old copy of one object file put back, or another
 * device's, is found (exit 5). A consistent old copy of the whole
 * directory is not (OP-TEE needs RPMB for that; so does this simulator).
 *
 * File layout, both kinds (big-endian):
 *   "PBTEE\0" | kind 'I' or 'O' | version 1 | u32 id | u64 generation |
 *   IV[12] | u32 n | AES-256-GCM(plaintext, n bytes) | tag[16]
 * with the first 36 bytes as associated data.
 *   index plaintext:  u8 flags | u8 len, label | serial[16] |
 *                     SO pin: u8 tries, salt[16], hash[32] | user pin: same |
 *                     u32 next id | u16 count | count x { u32 id, u8 len,
 *                     label, u8 alg, u64 generation, sha256(file)[32] }
 *   object plaintext: u8 class (3: private key) | u8 alg | u8 attrs |
 *                     u8 len, label | u16 len, PKCS#8 DER
 * PINs are kept as PBKDF2-HMAC-SHA256 (10000 iterations); each has 3 tries
 * (a try counts before the PIN is checked); a locked user PIN is set again
 * by the SO (init-pin), a locked SO PIN only goes with reset.
 *
 * Every call holds the lock of STATE/tee for its whole read-modify-write.
 * No function here returns private key material: keys are used inside.
 */
#ifndef PB_SIM_TEE_H
#define PB_SIM_TEE_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "core/base/err.h"
#include "core/base/secret.h"
#include "core/crypto/key.h"

#define SIM_TEE_LABEL_MAX 32      /* token label */
#define SIM_TEE_KEY_LABEL_MAX 64  /* object label (tee:NAME) */
#define SIM_TEE_MAX_OBJECTS 128
#define SIM_TEE_PIN_TRIES 3
#define SIM_TEE_FILE_MAX 16384
#define SIM_TEE_HEADER 36

enum { SIM_TEE_TOKEN_INIT = 1, SIM_TEE_USER_PIN_SET = 2 };
enum { SIM_TEE_SENSITIVE = 1, SIM_TEE_EXTRACTABLE = 2, SIM_TEE_LOCAL = 4 };

typedef struct sim_tee_pin {
	uint8_t tries;            /* left before it locks */
	uint8_t salt[16];
	uint8_t hash[32];
} sim_tee_pin;

typedef struct sim_tee_entry {
	uint32_t id;
	char label[SIM_TEE_KEY_LABEL_MAX + 1];
	pb_alg alg;
	uint64_t gen;
	uint8_t sha[32];          /* SHA-256 of the whole object file */
} sim_tee_entry;

typedef struct sim_tee_index {
	uint8_t flags;            /* SIM_TEE_TOKEN_INIT | SIM_TEE_USER_PIN_SET */
	char label[SIM_TEE_LABEL_MAX + 1];
	char serial[17];
	sim_tee_pin so, user;
	uint32_t next_id;
	uint16_t count;
	sim_tee_entry obj[SIM_TEE_MAX_OBJECTS];
} sim_tee_index;

typedef struct sim_tee_object {
	uint8_t class_;           /* 3: private key */
	pb_alg alg;
	uint8_t attrs;            /* SIM_TEE_SENSITIVE | SIM_TEE_LOCAL, never EXTRACTABLE */
	char label[SIM_TEE_KEY_LABEL_MAX + 1];
	const uint8_t *der;       /* PKCS#8, a view into the plaintext */
	size_t derlen;
} sim_tee_object;

/* The header of a file (before decryption). */
typedef struct sim_tee_header {
	uint8_t kind;             /* 'I' or 'O' */
	uint32_t id;
	uint64_t gen;
	const uint8_t *iv;
	const uint8_t *ct;        /* n bytes of ciphertext, then the tag */
	size_t n;
} sim_tee_header;

/* Parsers of untrusted bytes (fuzzed: fuzz/fuzz_tee_*.c). Exit 5 on any
 * malformed input. */
int sim_tee_header_parse(const uint8_t *buf, size_t len, sim_tee_header *h, pb_err *e);
/* Check the tag under key and decrypt in place; *pt points into buf. */
int sim_tee_file_open(const uint8_t key[32], uint8_t *buf, size_t len, sim_tee_header *h,
	uint8_t **pt, pb_err *e);
int sim_tee_index_parse(const uint8_t *pt, size_t len, sim_tee_index *ix, pb_err *e);
int sim_tee_object_parse(const uint8_t *pt, size_t len, sim_tee_object *o, pb_err *e);
/* The storage key of a device secret (HKDF-SHA256). */
void sim_tee_storage_key(const uint8_t huk[32], uint8_t key[32]);

typedef struct sim_tee sim_tee;

typedef struct sim_tee_status {
	int initialised, user_pin_set;
	char label[SIM_TEE_LABEL_MAX + 1];
	char serial[17];
	unsigned so_tries, user_tries, objects;
	char dir[PATH_MAX];
} sim_tee_status;

typedef int (*sim_tee_list_fn)(void *ctx, const sim_tee_entry *k, pb_err *e);

/* STATE/tee, created 0700 with its device secret on first use. */
int sim_tee_open(const char *state_dir, sim_tee **t, pb_err *e);
void sim_tee_close(sim_tee *t);

int sim_tee_status_get(sim_tee *t, sim_tee_status *st, pb_err *e);
/* First init sets label, serial and SO PIN; the same label again with the
 * right SO PIN changes nothing (*changed 0); another label, or force,
 * re-initialises (right SO PIN needed), destroying every object. */
int sim_tee_init_token(sim_tee *t, const char *label, const pb_secret *so, int force, int *changed,
	pb_err *e);
/* As SO: set the user PIN (unlocking it). */
int sim_tee_init_pin(sim_tee *t, const pb_secret *so, const pb_secret *pin, pb_err *e);
/* Check the user PIN (exit 4 wrong or locked); the key operations below
 * that need it fail until it passed once in this context. */
int sim_tee_login(sim_tee *t, const pb_secret *pin, pb_err *e);
int sim_tee_logged_in(const sim_tee *t);

int sim_tee_keygen(sim_tee *t, const char *label, pb_alg alg, int force, pb_err *e);
/* *found = 0 when there is no key labelled label. */
int sim_tee_public(sim_tee *t, const char *label, pb_pubkey *pub, int *found, pb_err *e);
/* Signature in X.509 form. */
int sim_tee_sign(sim_tee *t, const char *label, pb_hash h, const uint8_t *digest, size_t dlen,
	uint8_t *sig, size_t cap, size_t *siglen, pb_err *e);
int sim_tee_destroy(sim_tee *t, const char *label, int *found, pb_err *e);
int sim_tee_list(sim_tee *t, sim_tee_list_fn fn, void *ctx, pb_err *e);
/* Wipe every object and the token (as emptying /var/lib/tee): the
 * device secret stays, the token is uninitialised again. */
int sim_tee_reset(sim_tee *t, pb_err *e);

#endif
