/* hal/hal.h - the hardware abstraction every applet goes through.
 *
 * One class, several implementations chosen at run time (BearSSL style):
 * a backend context starts with a pointer to its hal_backend_class, and
 * callers hold `hal_ctx *be` (a pointer to that pointer). Backends:
 *
 *   tpm   tpm2-tss SAPI over a TCTI: device, swtpm, or the in-process
 *         libtpms simulator ("sim", the default; not in SIM=0 builds)
 *   tee   PKCS#11 module (OP-TEE libckteec, SoftHSM2) or the simulator
 *   kmu   the simulated Key Management Unit
 *   file  software keys in PEM files, for a provisioning station
 *
 * A backend never prints and never exits: it reports through pb_err.
 * An operation a backend does not have is a NULL slot; the hal_*
 * wrappers below turn that into "BACKEND: OPERATION not supported".
 */
#ifndef PB_HAL_H
#define PB_HAL_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "core/base/err.h"
#include "core/crypto/key.h"

typedef enum hal_kind {
	HAL_NONE = 0,
	HAL_TPM,
	HAL_TEE,
	HAL_KMU,
	HAL_FILE
} hal_kind;

const char *hal_kind_name(hal_kind kind);

/* A key reference: "tpm:0x81000002", "tee:key0", "kmu:identity",
 * "file:path.pem". */
typedef struct hal_key_ref {
	hal_kind kind;
	uint32_t handle;        /* tpm: persistent handle */
	char name[PATH_MAX];    /* tee label, kmu slot name, file path */
} hal_key_ref;

/* Parse a key reference; exit 2 with what is wrong otherwise. */
int hal_key_ref_parse(const char *text, hal_key_ref *ref, pb_err *e);
/* Back to text, for messages. */
const char *hal_key_ref_text(const hal_key_ref *ref, char *buf, size_t cap);

/* PSA security lifecycle, in order; trust|me's "provisioning mode" is
 * assembly|provisioning and "operational" is secured. */
typedef enum hal_lifecycle {
	HAL_LC_ASSEMBLY = 0,
	HAL_LC_PROVISIONING,
	HAL_LC_SECURED,
	HAL_LC_DECOMMISSIONED
} hal_lifecycle;

const char *hal_lifecycle_name(hal_lifecycle lc);
int hal_lifecycle_parse(const char *name, hal_lifecycle *lc, pb_err *e);

typedef struct hal_backend_class hal_backend_class;
typedef const hal_backend_class *hal_ctx;

/* Authorization values a backend may need beyond a key's own. */
typedef enum hal_auth {
	HAL_AUTH_OWNER = 1     /* TPM owner (storage) hierarchy password */
} hal_auth;

struct hal_backend_class {
	const char *name;      /* "tpm", "tee", "kmu", "file" */

	/* Create a key of alg at ref and make it persistent; refuses an
	 * existing key unless force. The private key never leaves the backend. */
	int (*key_create)(hal_ctx *be, const hal_key_ref *ref, pb_alg alg, int force, pb_err *e);
	/* Load the key at ref and return its public half (exit 1 if absent). */
	int (*key_public)(hal_ctx *be, const hal_key_ref *ref, pb_pubkey *out, pb_err *e);
	/* Sign a digest made with h; sig in X.509 form (ECDSA DER, RSA PKCS#1). */
	int (*key_sign)(hal_ctx *be, const hal_key_ref *ref, pb_hash h, const uint8_t *digest,
		size_t dlen, uint8_t *sig, size_t cap, size_t *siglen, pb_err *e);
	/* Remove the key (and its persistence); absent is an error. */
	int (*key_destroy)(hal_ctx *be, const hal_key_ref *ref, pb_err *e);
	/* Random bytes from the backend's RNG. */
	int (*random)(hal_ctx *be, uint8_t *buf, size_t len, pb_err *e);

	/* Protected NV storage. nv_read sets *defined = 0 for an index never
	 * written. nv_write_once: a second write of the index is refused,
	 * by the hardware where there is one. */
	int (*nv_read)(hal_ctx *be, uint32_t index, uint8_t *buf, size_t cap, size_t *len,
		int *defined, pb_err *e);
	int (*nv_write_once)(hal_ctx *be, uint32_t index, const uint8_t *data, size_t len, pb_err *e);
	/* Monotonic counter: read it (increment 0) or add one first. */
	int (*nv_counter)(hal_ctx *be, uint32_t index, int increment, uint64_t *value, pb_err *e);

	/* The lifecycle state, held so that software cannot roll it back. */
	int (*lifecycle_get)(hal_ctx *be, hal_lifecycle *lc, pb_err *e);
	int (*lifecycle_advance)(hal_ctx *be, hal_lifecycle to, pb_err *e);

	/* Hand the backend an authorization value (copied; wiped on close)
	 * for the operations that follow. */
	int (*set_auth)(hal_ctx *be, hal_auth which, const uint8_t *val, size_t len, pb_err *e);

	/* Release everything open_* acquired (and the context itself). */
	void (*close)(hal_ctx *be);
};

/* Open a backend of kind from its URI (NULL = the default, "sim" for
 * tpm/tee/kmu). state_dir is --state (NULL: $PROVBOX_STATE or default),
 * used by simulators. The context is allocated here, freed by hal_close. */
int hal_open(hal_kind kind, const char *uri, const char *state_dir, hal_ctx **be, pb_err *e);
void hal_close(hal_ctx *be);

/* Checked calls: a NULL slot is "not supported by this backend". */
int hal_key_create(hal_ctx *be, const hal_key_ref *ref, pb_alg alg, int force, pb_err *e);
int hal_key_public(hal_ctx *be, const hal_key_ref *ref, pb_pubkey *out, pb_err *e);
int hal_key_sign(hal_ctx *be, const hal_key_ref *ref, pb_hash h, const uint8_t *digest,
	size_t dlen, uint8_t *sig, size_t cap, size_t *siglen, pb_err *e);
int hal_key_destroy(hal_ctx *be, const hal_key_ref *ref, pb_err *e);
int hal_random(hal_ctx *be, uint8_t *buf, size_t len, pb_err *e);
int hal_nv_read(hal_ctx *be, uint32_t index, uint8_t *buf, size_t cap, size_t *len,
	int *defined, pb_err *e);
int hal_nv_write_once(hal_ctx *be, uint32_t index, const uint8_t *data, size_t len, pb_err *e);
int hal_nv_counter(hal_ctx *be, uint32_t index, int increment, uint64_t *value, pb_err *e);
int hal_lifecycle_get(hal_ctx *be, hal_lifecycle *lc, pb_err *e);
int hal_lifecycle_advance(hal_ctx *be, hal_lifecycle to, pb_err *e);
int hal_set_auth(hal_ctx *be, hal_auth which, const uint8_t *val, size_t len, pb_err *e);

/* Hash data with h and sign it with the key: the one call certificate,
 * CSR and artifact signing need. */
int hal_sign_data(hal_ctx *be, const hal_key_ref *ref, pb_hash h, const void *data, size_t len,
	uint8_t *sig, size_t cap, size_t *siglen, pb_err *e);

/* A pb_signer over a HAL key: loads the public key once; sig->ctx keeps
 * be and ref, which must outlive the signer. The hash is the key's
 * default (pb_alg_hash). */
typedef struct hal_signer_ctx {
	hal_ctx *be;
	const hal_key_ref *ref;
	pb_hash hash;
} hal_signer_ctx;
int hal_signer(hal_ctx *be, const hal_key_ref *ref, hal_signer_ctx *hctx, pb_signer *s, pb_err *e);

/* Open the backend a key reference names, with the URI of the shared
 * option (--tpm/--tee/--kmu) for its kind. */
int hal_open_for_key(const hal_key_ref *ref, const char *tpm_uri, const char *tee_uri,
	const char *kmu_uri, const char *state_dir, hal_ctx **be, pb_err *e);

/* Backend constructors, one per kind (hal.c dispatches on kind). */
int hal_file_open(const char *uri, const char *state_dir, hal_ctx **be, pb_err *e);
/* uri: NULL or "sim" (in-process libtpms; SIM=1 builds only),
 * "swtpm:host=H,port=P", "device:/dev/tpmrm0"; see hal/tpm.c. */
int hal_tpm_open(const char *uri, const char *state_dir, hal_ctx **be, pb_err *e);

#endif
