/* sim/kmu.h - the simulated Key Management Unit (nRF CC3xx-style KMU).
 *
 * What an nRF91/nRF53 KMU is to its firmware, this is to the kmu HAL
 * backend: numbered key slots with a value and a policy, a lifecycle kept
 * as OTP markers, and one operation that wipes it all (ERASEALL). The
 * simulator enforces every rule itself, so that a caller (the backend, an
 * applet, a test) cannot get around it:
 *
 *   - a push-only slot is never read back: its value only goes to the
 *     crypto engine (here: the derivation and signing inside this file);
 *   - a write-once slot is written once, until ERASEALL;
 *   - a revoked slot cannot be used nor written again until ERASEALL;
 *   - a derive-only key does not sign, a sign-only key is not derived from;
 *   - the lifecycle markers only set, and only for the next state.
 *
 * The layout is nRF's platform code's: the master key encryption key
 * (MKEK) in slots 2-3, the master external key (MEXT) in 4-5, both
 * random hardware unique keys, derive-only, push-only, write-once; the
 * device identity key (KIDENT) in 6-7: a random secp256r1 scalar stored
 * encrypted and authenticated (AES key wrap with padding, RFC 5649) under
 * KEK = HKDF-SHA256(MKEK, "provbox kmu KIDENT v1"), sign-only. A key
 * spans two slots; the simulated slots are 256 bits wide (hardware's are
 * 128) so that the wrapped identity key, 40 bytes, fits in its pair.
 *
 * State: STATE/kmu/slots, written whole with pb_atomic_write under the
 * lock of that file, so a pair of slots (and every other change) is
 * written entirely or not at all, whatever instant the process dies at.
 * Format, all integers big-endian:
 *
 *   "PBKMU\0\0\x01" | u32 body length | SHA-256(body) | body
 *   body = u8 otp | u8 count | count * record
 *   record = u8 slot | u8 flags | u8 usage | u8 type | u8 len | len bytes
 *
 * Records in strictly increasing slot order; a revoked slot has len 0,
 * any other 1..32. A damaged file is reported (exit 5) and never changed.
 */
#ifndef PB_SIM_KMU_H
#define PB_SIM_KMU_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "core/base/err.h"
#include "core/crypto/key.h"

#define SIM_KMU_SLOTS 128
#define SIM_KMU_SLOT_BYTES 32
#define SIM_KMU_FILE "slots"          /* under STATE/kmu/ */
#define SIM_KMU_HEADER (8 + 4 + 32)
#define SIM_KMU_FILE_MAX (SIM_KMU_HEADER + 2 + SIM_KMU_SLOTS * (5 + SIM_KMU_SLOT_BYTES))

/* First slot of each pair (nRF platform layout). */
enum { SIM_KMU_MKEK = 2, SIM_KMU_MEXT = 4, SIM_KMU_KIDENT = 6 };

enum {                                 /* sim_kmu_slot.flags */
	SIM_KMU_PUSH_ONLY = 1u << 0,
	SIM_KMU_WRITE_ONCE = 1u << 1,
	SIM_KMU_REVOKED = 1u << 2
};
enum {                                 /* sim_kmu_slot.usage */
	SIM_KMU_USAGE_NONE = 0,        /* plain data */
	SIM_KMU_USAGE_SIGN = 1,
	SIM_KMU_USAGE_DERIVE = 2
};
enum {                                 /* sim_kmu_slot.type: what the value is */
	SIM_KMU_TYPE_AES256 = 1,       /* half of a 256-bit symmetric key */
	SIM_KMU_TYPE_P256_WRAPPED = 2, /* part of a wrapped secp256r1 scalar */
	SIM_KMU_TYPE_DATA = 3
};
enum {                                 /* OTP lifecycle markers: they only set */
	SIM_KMU_LEFT_ASSEMBLY = 1u << 0,
	SIM_KMU_LEFT_PROVISIONING = 1u << 1,
	SIM_KMU_LEFT_SECURE = 1u << 2
};
/* Lifecycle states in order; the same numbering as hal_lifecycle. */
enum { SIM_KMU_LC_ASSEMBLY = 0, SIM_KMU_LC_PROVISIONING, SIM_KMU_LC_SECURED, SIM_KMU_LC_DECOMMISSIONED };

typedef struct sim_kmu_slot {
	uint8_t used;
	uint8_t flags, usage, type, len;
	uint8_t value[SIM_KMU_SLOT_BYTES];
} sim_kmu_slot;

/* The whole KMU in memory. Wipe with sim_kmu_image_wipe. */
typedef struct sim_kmu_image {
	uint8_t otp;
	sim_kmu_slot slot[SIM_KMU_SLOTS];
} sim_kmu_image;

/* ---- the file format (the fuzzed parser) ---- */

/* Parse a whole state file; exit 5 with what is wrong. img is blank
 * (and wiped) on failure. */
int sim_kmu_parse(const uint8_t *buf, size_t len, sim_kmu_image *img, pb_err *e);
/* The file bytes of img; out holds SIM_KMU_FILE_MAX. */
int sim_kmu_serialize(const sim_kmu_image *img, uint8_t *out, size_t cap, size_t *len, pb_err *e);
void sim_kmu_image_wipe(sim_kmu_image *img);

/* ---- the hardware's rules over an image in memory ---- */

/* Write value (n..n*32 bytes) across slots first..first+n-1 (n = 1 or 2),
 * each with the same flags (PUSH_ONLY, WRITE_ONCE), usage and type.
 * Refused (exit 1, img unchanged): a write-once or revoked slot. */
int sim_kmu_img_write(sim_kmu_image *img, unsigned first, unsigned n, unsigned flags,
	unsigned usage, unsigned type, const uint8_t *value, size_t len, pb_err *e);
/* Read a slot's value: refused for a push-only slot. */
int sim_kmu_img_read(const sim_kmu_image *img, unsigned slot, uint8_t *out, size_t cap,
	size_t *len, pb_err *e);
/* Revoke slots (wipes their values); they stay unusable until ERASEALL. */
int sim_kmu_img_revoke(sim_kmu_image *img, unsigned first, unsigned n, pb_err *e);
/* The lifecycle state the OTP markers say (SIM_KMU_LC_*). */
int sim_kmu_img_lc(const sim_kmu_image *img);
/* Set the marker for `to`: the same state is 0 and no change; backward
 * is exit 3, a skipped state exit 1 (the hardware takes the next one). */
int sim_kmu_img_lc_set(sim_kmu_image *img, int to, pb_err *e);
/* Is a pair written (and not revoked)? */
int sim_kmu_img_pair_present(const sim_kmu_image *img, unsigned first);

/* ---- the KMU in STATE/kmu/slots ---- */

typedef struct sim_kmu {
	char path[PATH_MAX];           /* STATE/kmu/slots */
} sim_kmu;

/* Resolve STATE/kmu/slots (state_dir NULL: $PROVBOX_STATE or the
 * default) and create STATE/kmu 0700. Nothing is read yet. */
int sim_kmu_open(sim_kmu *k, const char *state_dir, pb_err *e);
/* The KMU now (no file: a blank KMU in assembly). */
int sim_kmu_load(const sim_kmu *k, sim_kmu_image *img, pb_err *e);

/* Each of these is one read-modify-write under the file's lock; a
 * refused operation leaves the file byte-identical. */
/* MKEK and MEXT, random; refused (exit 1) if either is written. */
int sim_kmu_gen_huk(const sim_kmu *k, pb_err *e);
/* A random secp256r1 identity key into KIDENT, wrapped under the MKEK
 * derived key; refused: "MKEK missing", or KIDENT already written. */
int sim_kmu_gen_identity(const sim_kmu *k, pb_err *e);
int sim_kmu_write(const sim_kmu *k, unsigned first, unsigned n, unsigned flags, unsigned usage,
	unsigned type, const uint8_t *value, size_t len, pb_err *e);
int sim_kmu_revoke(const sim_kmu *k, unsigned first, unsigned n, pb_err *e);
/* ERASEALL: every slot and every marker cleared (back to assembly). */
int sim_kmu_erase_all(const sim_kmu *k, pb_err *e);
/* The lifecycle: *present = 0 while no marker is set. */
int sim_kmu_lc_read(const sim_kmu *k, int *lc, int *present, pb_err *e);
int sim_kmu_lc_write(const sim_kmu *k, int to, pb_err *e);

/* Reading never takes the lock: the file is replaced atomically. */
int sim_kmu_read(const sim_kmu *k, unsigned slot, uint8_t *out, size_t cap, size_t *len, pb_err *e);
/* The public key of the sign key whose pair starts at slot (*found = 0:
 * the pair is empty or revoked). */
int sim_kmu_public(const sim_kmu *k, unsigned slot, pb_pubkey *pub, int *found, pb_err *e);
/* Sign a digest with the key at slot: it must be a sign-only pair; the
 * scalar is unwrapped here, used, and wiped. */
int sim_kmu_sign(const sim_kmu *k, unsigned slot, pb_hash h, const uint8_t *digest, size_t dlen,
	uint8_t *sig, size_t cap, size_t *siglen, pb_err *e);

#endif
