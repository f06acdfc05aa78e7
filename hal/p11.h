/* hal/p11.h - a PKCS#11 v2.40 module loaded with dlopen (inside the tee
 * backend, its tests and nothing else; applets use hal/hal.h).
 *
 * The module is OP-TEE's libckteec on a target and SoftHSM2 in tests. The
 * header is p11-kit's pkcs11.h (Debian libp11-kit-dev). A token is found
 * by its label or serial number, never by slot number: SoftHSM2 renumbers
 * its slots after C_InitToken, OP-TEE keeps fixed ones. Keys are found by
 * CKA_LABEL (the NAME of tee:NAME).
 *
 * PINs are handed in by the caller (the tee backend asks the HAL's auth
 * callback); nothing here reads a terminal, prints or exits. One mutex
 * serializes use of the one session, so several threads may sign.
 */
#ifndef PB_HAL_P11_H
#define PB_HAL_P11_H

#include <limits.h>
#include <p11-kit/pkcs11.h>
#include <pthread.h>

#include "core/base/err.h"
#include "core/base/secret.h"
#include "core/crypto/key.h"

#define P11_LABEL_MAX 32      /* CK_TOKEN_INFO.label, blank padded */
#define P11_SERIAL_MAX 16

/* "pkcs11:/path/module.so[,token=LABEL][,serial=S]" (text after "pkcs11:"). */
typedef struct p11_uri {
	char module[PATH_MAX];
	char token[P11_LABEL_MAX + 1];    /* "" = not given */
	char serial[P11_SERIAL_MAX + 1];  /* "" = not given */
} p11_uri;

/* Parse the part after "pkcs11:"; exit 2 with the expected form. */
int p11_uri_parse(const char *text, p11_uri *u, pb_err *e);

/* One token of the module, as C_GetTokenInfo reports it (labels trimmed). */
typedef struct p11_token {
	CK_SLOT_ID slot;
	char label[P11_LABEL_MAX + 1];
	char serial[P11_SERIAL_MAX + 1];
	char manufacturer[33];
	char model[17];
	CK_FLAGS flags;                   /* CKF_TOKEN_INITIALIZED, CKF_USER_PIN_* ... */
} p11_token;

typedef struct p11 {
	pthread_mutex_t lock;
	void *dl;
	CK_FUNCTION_LIST *f;
	int initialized;                  /* C_Initialize done: C_Finalize on close */
	p11_uri uri;
	int have_token;                   /* tok is chosen */
	p11_token tok;
	CK_SESSION_HANDLE s;
	int have_session;
	CK_USER_TYPE user;
	int logged_in;
} p11;

/* What p11_list reports for each private key of the token. */
typedef struct p11_keyinfo {
	char label[65];
	pb_alg alg;                       /* PB_ALG_NONE: a key type we do not use */
	CK_KEY_TYPE type;
	int sensitive, extractable, local, always_sensitive, never_extractable;
} p11_keyinfo;
typedef int (*p11_list_fn)(void *ctx, const p11_keyinfo *k, pb_err *e);

/* dlopen the module, C_GetFunctionList, C_Initialize (OS locking). A file
 * that is not a PKCS#11 module is exit 1 with what is missing. */
int p11_load(p11 *p, const p11_uri *u, pb_err *e);
/* Log out, close the session, C_Finalize, dlclose; safe on a failed load. */
void p11_unload(p11 *p);

/* Every token present, in slot order (n may exceed cap: only cap filled). */
int p11_tokens(p11 *p, p11_token *out, size_t cap, size_t *n, pb_err *e);
/* Does t have the label and serial u asks for (when it asks)? */
int p11_uri_names(const p11_uri *u, const p11_token *t);
/* Choose the initialised token the URI names (token= or serial=), or the
 * only initialised one when it names none; exit 1 naming the labels there
 * are when there is no such token (or several and none named). */
int p11_select(p11 *p, pb_err *e);

/* Log in to the chosen token (opens the R/W session first). Wrong PIN:
 * exit 4; a locked PIN says so (exit 4). Logging in twice is a no-op. */
int p11_login(p11 *p, CK_USER_TYPE who, const pb_secret *pin, pb_err *e);
void p11_logout(p11 *p);

/* Exit 1 "token L lacks CKM_X (needed for WHAT)" unless the token has
 * every mechanism alg's keys need (key pair generation and signing). */
int p11_check_mechs(p11 *p, pb_alg alg, pb_err *e);

/* Generate a key pair labelled label (private: token, private, sensitive,
 * not extractable, sign; public: token, verify). An existing private key
 * with that label is refused unless force, which destroys it first.
 * Needs p11_login(CKU_USER). */
int p11_keygen(p11 *p, const char *label, pb_alg alg, int force, pb_err *e);
/* The public key of the pair labelled label; *found = 0 when there is no
 * private key of that label. */
int p11_pubkey(p11 *p, const char *label, pb_pubkey *out, int *found, pb_err *e);
/* C_Sign with mech (CKM_ECDSA: raw r||s; CKM_RSA_PKCS: over DigestInfo). */
int p11_sign(p11 *p, const char *label, CK_MECHANISM_TYPE mech, const uint8_t *in, size_t inlen,
	uint8_t *sig, size_t cap, size_t *siglen, pb_err *e);
/* Destroy every object (private key, public key, certificate) labelled label. */
int p11_destroy(p11 *p, const char *label, int *found, pb_err *e);
/* Call fn for each private key (the user must be logged in to see them). */
int p11_list(p11 *p, p11_list_fn fn, void *ctx, pb_err *e);
int p11_random(p11 *p, uint8_t *buf, size_t len, pb_err *e);

/* C_InitToken: the token URI names (token=/serial=), else an initialised
 * one labelled label (a re-run), else the first uninitialised one. A token
 * already initialised with that label is left alone (*changed = 0) once
 * the SO PIN logs in; one with another label is refused unless force. */
int p11_init_token(p11 *p, const char *label, const pb_secret *so_pin, int force, int *changed,
	pb_err *e);
/* Log in as SO and C_InitPIN: sets (or resets, unlocking) the user PIN. */
int p11_init_pin(p11 *p, const pb_secret *so_pin, const pb_secret *user_pin, pb_err *e);
/* Re-initialise the chosen token with its label: every object gone, user
 * PIN unset (what PKCS#11 offers as "reset"). */
int p11_reset(p11 *p, const pb_secret *so_pin, pb_err *e);

/* "CKR_PIN_INCORRECT", or "CKR_0x..." for codes we do not name. */
const char *p11_rv_name(CK_RV rv, char *buf, size_t cap);
/* Fill e for a failed call: exit 4 for PIN errors, 1 otherwise. */
int p11_fail(pb_err *e, CK_RV rv, const char *call);

#endif
