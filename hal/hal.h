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
#include "core/base/secret.h"
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

typedef enum hal_usage { HAL_USAGE_SIGN = 1, HAL_USAGE_DERIVE = 2 } hal_usage;

enum {                                  /* hal_key_spec.policy bits */
	HAL_POLICY_WRITE_ONCE = 1u << 0,    /* a second create at the same ref is refused, even with force */
	HAL_POLICY_PUSH_ONLY  = 1u << 1     /* value goes to the crypto engine only, never back (KMU) */
};

/* What to create: one struct instead of loose arguments, so that a new
 * attribute is a new field and not a new signature. */
typedef struct hal_key_spec {
	pb_alg alg;          /* PB_ALG_EC_P256, PB_ALG_RSA_2048, ... */
	hal_usage usage;     /* HAL_USAGE_SIGN for every key provbox makes today */
	int persistent;      /* 1: survives the process (all our keys); 0: session key */
	unsigned policy;     /* HAL_POLICY_* */
	int force;           /* replace an existing key (never a WRITE_ONCE one) */
} hal_key_spec;

/* The spec of a persistent signing key of alg (what csr --create makes). */
hal_key_spec hal_key_spec_sign(pb_alg alg, int force);

/* What key_list reports per key. */
typedef struct hal_key_info {
	hal_key_ref ref;
	pb_alg alg;
	hal_usage usage;
	unsigned policy;
	int sensitive, extractable, local;  /* PKCS#11 attributes, or what the backend guarantees */
} hal_key_info;
/* Called once per key; a non-zero return stops the listing and is returned. */
typedef int (*hal_key_list_fn)(void *ctx, const hal_key_info *info, pb_err *e);

/* Authorization values, asked for through one callback the applet hands
 * in (hal_open_opts.auth); no backend reads a terminal or a file. */
typedef enum hal_auth {
	HAL_AUTH_OWNER = 1,     /* TPM owner (storage) hierarchy password */
	HAL_AUTH_USER_PIN,      /* PKCS#11 user PIN */
	HAL_AUTH_SO_PIN,        /* PKCS#11 security officer PIN */
	HAL_AUTH_NEW_PIN        /* the new user PIN of a set-PIN / init-PIN */
} hal_auth;
/* Fill *out (pb_secret, core/base/secret.h) with the value for `which`.
 * Return 0 with out->len == 0 and *given = 0 when the user gave no source
 * for it (the backend then uses the empty value or fails with a message
 * naming the option to give); an error code when reading failed. */
typedef int (*hal_auth_fn)(void *ctx, hal_auth which, pb_secret *out, int *given, pb_err *e);

/* Capability flags of a backend class (hal_backend_class.caps). */
enum {
	HAL_CAP_SIGN_THREADSAFE = 1u << 0,  /* key_sign may run on several threads at once */
	HAL_CAP_NON_EXTRACTABLE = 1u << 1,  /* private keys never leave the backend */
	HAL_CAP_TOKEN_ADMIN     = 1u << 2,  /* token_init / token_set_pin / token_erase */
	HAL_CAP_LIFECYCLE       = 1u << 3   /* lifecycle_read / lifecycle_write */
};

typedef struct hal_open_opts {
	const char *tpm_uri, *tee_uri, *kmu_uri;  /* the shared --tpm/--tee/--kmu (NULL: "sim") */
	const char *state_dir;                    /* --state (NULL: $PROVBOX_STATE or default) */
	hal_auth_fn auth;                         /* may be NULL: every auth value empty/absent */
	void *auth_ctx;
} hal_open_opts;

struct hal_backend_class {
	const char *name;      /* "tpm", "tee", "kmu", "file" */
	unsigned caps;         /* HAL_CAP_* */

	/* Create a key at ref as spec says; refuses an existing key unless
	 * spec->force (and always for a WRITE_ONCE one). */
	int (*key_create)(hal_ctx *be, const hal_key_ref *ref, const hal_key_spec *spec, pb_err *e);
	/* *found = 0 (and return 0) when no key is at ref; an error only when the
	 * backend failed to answer. */
	int (*key_public)(hal_ctx *be, const hal_key_ref *ref, pb_pubkey *out, int *found, pb_err *e);
	/* Sign a digest made with h; sig in X.509 form (ECDSA DER, RSA PKCS#1). */
	int (*key_sign)(hal_ctx *be, const hal_key_ref *ref, pb_hash h, const uint8_t *digest,
		size_t dlen, uint8_t *sig, size_t cap, size_t *siglen, pb_err *e);   /* X.509 form */
	/* Remove the key (and its persistence); absent is an error. */
	int (*key_destroy)(hal_ctx *be, const hal_key_ref *ref, pb_err *e);
	/* Call fn once per key the backend holds. */
	int (*key_list)(hal_ctx *be, hal_key_list_fn fn, void *ctx, pb_err *e);
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

	/* Lifecycle STORAGE only (policy is core/lifecycle): read the most
	 * advanced state this backend holds a record of (*present = 0: no record
	 * at all), and record `to` (only ever called with the next state). A
	 * backend without these slots but with nv_write_once gets the default
	 * in hal/lifecycle_nv.c (one write-once NV index per state passed). */
	int (*lifecycle_read)(hal_ctx *be, hal_lifecycle *lc, int *present, pb_err *e);
	int (*lifecycle_write)(hal_ctx *be, hal_lifecycle to, pb_err *e);
	/* One line for `lifecycle status`: "TPM NV, platform-created, policy-delete" ... */
	int (*lifecycle_protection)(hal_ctx *be, char *buf, size_t cap, pb_err *e);

	/* Token administration (TEE: PKCS#11 C_InitToken / C_InitPIN / C_SetPIN;
	 * KMU: erase = ERASEALL). PINs come through the auth callback. */
	int (*token_init)(hal_ctx *be, const char *label, pb_err *e);
	int (*token_set_pin)(hal_ctx *be, pb_err *e);
	int (*token_erase)(hal_ctx *be, pb_err *e);
	int (*token_info)(hal_ctx *be, char *buf, size_t cap, pb_err *e); /* one status paragraph */

	/* Release everything the constructor acquired (and the context itself). */
	void (*close)(hal_ctx *be);
};

/* The head every backend context starts with: the class, then the auth
 * callback of hal_open_opts, so that hal_auth_get works for each backend.
 * A backend's context is `struct { hal_base base; ... }` and hands out
 * &ctx->base.vtable as its hal_ctx *. */
typedef struct hal_base {
	const hal_backend_class *vtable;
	hal_auth_fn auth;
	void *auth_ctx;
} hal_base;

/* Fill the head from the class and the options (o may be NULL). */
void hal_base_init(hal_base *b, const hal_backend_class *cls, const hal_open_opts *o);

/* Open a backend of kind with the URI o gives for it (NULL o: defaults,
 * no auth). The context is allocated here, freed by hal_close. */
int hal_open(hal_kind kind, const hal_open_opts *o, hal_ctx **be, pb_err *e);
/* Open the backend a key reference names. */
int hal_open_for_key(const hal_key_ref *ref, const hal_open_opts *o, hal_ctx **be, pb_err *e);
void hal_close(hal_ctx *be);

/* Constructors, dispatched on by hal_open. */
int hal_file_open(const hal_open_opts *o, hal_ctx **be, pb_err *e);
/* o->tpm_uri: NULL or "sim" (in-process libtpms; SIM=1 builds only),
 * "swtpm:host=H,port=P", "device:/dev/tpmrm0"; see hal/tpm.c. */
int hal_tpm_open(const hal_open_opts *o, hal_ctx **be, pb_err *e);
int hal_tee_open(const hal_open_opts *o, hal_ctx **be, pb_err *e);   /* TEE backend */
int hal_kmu_open(const hal_open_opts *o, hal_ctx **be, pb_err *e);   /* KMU backend */
/* Is a backend of kind in this build (its constructor more than a stub)? */
int hal_kind_available(hal_kind kind);

/* Checked wrappers: NULL slot = "BACKEND: OPERATION not supported" (exit 1). */
int hal_key_create(hal_ctx *be, const hal_key_ref *ref, const hal_key_spec *spec, pb_err *e);
int hal_key_find(hal_ctx *be, const hal_key_ref *ref, pb_pubkey *out, int *found, pb_err *e);
/* Absent: exit 1 "key REF: not found". */
int hal_key_public(hal_ctx *be, const hal_key_ref *ref, pb_pubkey *out, pb_err *e);
int hal_key_sign(hal_ctx *be, const hal_key_ref *ref, pb_hash h, const uint8_t *digest,
	size_t dlen, uint8_t *sig, size_t cap, size_t *siglen, pb_err *e);
int hal_key_destroy(hal_ctx *be, const hal_key_ref *ref, pb_err *e);
int hal_key_list(hal_ctx *be, hal_key_list_fn fn, void *ctx, pb_err *e);
int hal_random(hal_ctx *be, uint8_t *buf, size_t len, pb_err *e);
int hal_nv_read(hal_ctx *be, uint32_t index, uint8_t *buf, size_t cap, size_t *len,
	int *defined, pb_err *e);
int hal_nv_write_once(hal_ctx *be, uint32_t index, const uint8_t *data, size_t len, pb_err *e);
int hal_nv_counter(hal_ctx *be, uint32_t index, int increment, uint64_t *value, pb_err *e);
/* The lifecycle slots, or the NV default of hal/lifecycle_nv.c when the
 * backend has nv_write_once but no lifecycle slots of its own. */
int hal_lifecycle_read(hal_ctx *be, hal_lifecycle *lc, int *present, pb_err *e);
int hal_lifecycle_write(hal_ctx *be, hal_lifecycle to, pb_err *e);
int hal_lifecycle_protection(hal_ctx *be, char *buf, size_t cap, pb_err *e);
/* Does the backend hold lifecycle storage (own slots or the NV default)? */
int hal_has_lifecycle(hal_ctx *be);
int hal_token_init(hal_ctx *be, const char *label, pb_err *e);
int hal_token_set_pin(hal_ctx *be, pb_err *e);
int hal_token_erase(hal_ctx *be, pb_err *e);
int hal_token_info(hal_ctx *be, char *buf, size_t cap, pb_err *e);
/* The class's caps, plus HAL_CAP_LIFECYCLE when the NV default applies. */
unsigned hal_caps(hal_ctx *be);
/* Ask the open backend's auth callback (used by backends). No callback:
 * out->len = 0, *given = 0. */
int hal_auth_get(hal_ctx *be, hal_auth which, pb_secret *out, int *given, pb_err *e);

/* The default lifecycle storage over nv_read / nv_write_once (hal/lifecycle_nv.c):
 * one write-once index per state passed, HAL_LC_NV_BASE + state. */
#define HAL_LC_NV_BASE 0x00100000u   /* owner-range offset: TPM index 0x01900000 + state */
int hal_lifecycle_nv_read(hal_ctx *be, hal_lifecycle *lc, int *present, pb_err *e);
int hal_lifecycle_nv_write(hal_ctx *be, hal_lifecycle to, pb_err *e);
int hal_lifecycle_nv_protection(hal_ctx *be, char *buf, size_t cap, pb_err *e);

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

#endif
