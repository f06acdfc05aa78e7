/* hal/tpm.h - inside the TPM backend (hal/tpm*.c), its tests and fuzzer.
 *
 * Applets never include this: they use hal/hal.h. The backend talks to a
 * TPM through tpm2-tss SAPI (libtss2-sys) over a TCTI: the device, swtpm,
 * or the in-process simulator (sim/tpm.h).
 */
#ifndef PB_HAL_TPM_H
#define PB_HAL_TPM_H

#include <limits.h>
#include <pthread.h>
#include <tss2/tss2_sys.h>

#include "core/crypto/key.h"
#include "hal/hal.h"

/* Default NV indices given as small numbers live in the owner range. */
#define TPM_NV_OWNER_BASE 0x01800000u

/* What --tpm says: "sim", "swtpm:host=H,port=P", "device:/dev/tpmrm0",
 * each optionally with ",srk=rsa-2048". */
enum tpm_kind { TPM_SIM, TPM_SWTPM, TPM_DEVICE };

typedef struct tpm_uri {
	enum tpm_kind kind;
	char host[64];
	unsigned port;
	char path[PATH_MAX];
	pb_alg srk;
} tpm_uri;

/* Parse --tpm (NULL or "" = "sim"); exit 2 with the expected forms. */
int tpm_parse_uri(const char *uri, tpm_uri *u, pb_err *e);

typedef struct tpm_ctx {
	hal_base base;                 /* first: the hal_ctx and the auth callback */
	pthread_mutex_t lock;          /* one command at a time on sys */
	TSS2_SYS_CONTEXT *sys;
	TSS2_TCTI_CONTEXT *tcti;
	int sim;                       /* tcti is the in-process simulator */
	int borrowed_tcti;             /* tcti is the caller's: not ours to close */
	pb_alg srk_alg;                /* storage primary key: EC P-256 or RSA 2048 */
	TPM2B_AUTH owner_auth;         /* owner hierarchy password (empty by default) */
	int owner_asked;               /* owner_auth came through the auth callback */
	char where[128];               /* "swtpm 127.0.0.1:2321", for messages */
} tpm_ctx;

static inline tpm_ctx *tpm_ctx_of(hal_ctx *be)
{
	return (tpm_ctx *)(void *)be;
}

/* "what: TPM_RC_NAME: decoded text", with the exit code it deserves
 * (bad password: 4); a failed save of the simulator's state wins. */
int tpm_fail(tpm_ctx *c, pb_err *e, const char *what, TSS2_RC rc);
/* The response code without its handle/parameter/session number. */
TSS2_RC tpm_rc_base(TSS2_RC rc);
/* "TPM_RC_ATTRIBUTES", or NULL if not a TPM response code we know. */
const char *tpm_rc_name(TSS2_RC rc);

/* One password session carrying auth (NULL: empty password). */
void tpm_pw_session(TSS2L_SYS_AUTH_COMMAND *cmd, const TPM2B_AUTH *auth);
/* A password session with the owner password, asked for once through the
 * auth callback (HAL_AUTH_OWNER; none given: the empty password). */
int tpm_owner_session(tpm_ctx *c, TSS2L_SYS_AUTH_COMMAND *cmd, pb_err *e);

/* Templates: the TCG storage primary key (restricted decrypt, AES-128-CFB)
 * and our signing keys (ECDSA-SHA256 on P-256, RSASSA-SHA256 2048). */
int tpm_srk_template(pb_alg alg, TPM2B_PUBLIC *t, pb_err *e);
int tpm_key_template(pb_alg alg, TPM2B_PUBLIC *t, pb_err *e);

/* A TPM signing key's public area as a pb_pubkey; refuses what is not an
 * unrestricted signing key of a kind we handle. */
int tpm_public_to_pubkey(const TPMT_PUBLIC *pub, pb_pubkey *k, pb_err *e);
/* A TPM signature in X.509 form (ECDSA: DER SEQUENCE{r, s}; RSASSA:
 * the PKCS#1 v1.5 block as is). */
int tpm_signature_to_x509(const TPMT_SIGNATURE *sig, uint8_t *out, size_t cap, size_t *len,
	pb_err *e);

/* NV: the HAL operations (hal/tpm_nv.c); called with c->lock held. */
int tpm_nv_read(tpm_ctx *c, uint32_t index, uint8_t *buf, size_t cap, size_t *len,
	int *defined, pb_err *e);
int tpm_nv_write_once(tpm_ctx *c, uint32_t index, const uint8_t *data, size_t len, pb_err *e);
int tpm_nv_counter(tpm_ctx *c, uint32_t index, int increment, uint64_t *value, pb_err *e);
/* Lifecycle storage (hal/tpm_nv.c): platform-created, policy-delete
 * write-once indices where the platform hierarchy is open, owner ones
 * otherwise; called with c->lock held. */
int tpm_lc_read(tpm_ctx *c, hal_lifecycle *lc, int *present, pb_err *e);
int tpm_lc_write(tpm_ctx *c, hal_lifecycle to, pb_err *e);
int tpm_lc_protection(tpm_ctx *c, char *buf, size_t cap, pb_err *e);

/* The backend over a TCTI the caller owns and keeps (the fuzzer's canned
 * responses); hal_close leaves the TCTI alone. o may be NULL. */
int hal_tpm_open_tcti(TSS2_TCTI_CONTEXT *tcti, const hal_open_opts *o, hal_ctx **be, pb_err *e);

/* How many transient objects the TPM holds (TPM2_GetCapability): after
 * every HAL operation this is 0 again, which tests check. */
int hal_tpm_transient_count(hal_ctx *be, uint32_t *n, pb_err *e);

#endif
