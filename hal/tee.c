/* hal/tee.c - the tee backend: a TEE's secure storage behind PKCS#11.
 *
 *   --tee pkcs11:/path/module.so[,token=LABEL][,serial=S]
 *       a PKCS#11 v2.40 module loaded with dlopen (hal/p11.c): OP-TEE's
 *       libckteec on a target, SoftHSM2 in tests. Keys are key pairs
 *       labelled NAME (tee:NAME): private, sensitive, never extractable.
 *   --tee sim (default; SIM=1 builds)
 *       the simulated secure storage in STATE/tee (sim/tee.c).
 *
 * PINs come only through the HAL's auth callback: the user PIN for key
 * operations (public keys need none), the SO PIN for token_init,
 * token_set_pin (with the new user PIN) and, over PKCS#11, token_erase
 * (C_InitToken again: PKCS#11 has no other reset). Signatures leave here
 * in X.509 form: CKM_ECDSA's r||s becomes DER, CKM_RSA_PKCS signs the
 * DigestInfo made in core (OP-TEE leaves CKM_RSA_X_509 out by default).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/crypto/sigfmt.h"
#include "hal/hal.h"
#include "hal/p11.h"
#if PB_SIM
#include "sim/tee.h"
#endif

/* ---------------------------------------------------------------- PINs */

static const char *const auth_opts[] = {
	[HAL_AUTH_USER_PIN] = "the user PIN (--pin-fd N, --pin-file PATH or $PROVBOX_PIN)",
	[HAL_AUTH_SO_PIN] = "the SO PIN (--so-pin-fd N, --so-pin-file PATH or $PROVBOX_SO_PIN)",
	[HAL_AUTH_NEW_PIN] = "the new user PIN (--new-pin-fd N, --new-pin-file PATH or $PROVBOX_NEW_PIN)",
};

/* A PIN the operation cannot go without: exit 2 naming where it comes from. */
static int need_pin(hal_ctx *be, hal_auth which, pb_secret *s, pb_err *e)
{
	int given = 0;

	if (hal_auth_get(be, which, s, &given, e) != 0)
		return e->code;
	if (!given)
		return pb_fail(e, PB_EUSAGE, "%s is needed", auth_opts[which]);
	return 0;
}

static int check_spec(const hal_key_spec *spec, pb_err *e)
{
	if (spec->alg != PB_ALG_EC_P256 && spec->alg != PB_ALG_RSA_2048)
		return pb_fail(e, PB_EUSAGE, "tee: %s keys not supported (ec-p256, rsa-2048)",
			pb_alg_name(spec->alg));
	if (spec->usage != HAL_USAGE_SIGN || !spec->persistent || (spec->policy & HAL_POLICY_PUSH_ONLY))
		return pb_fail(e, PB_EUSAGE, "tee: only persistent signing keys are supported");
	return 0;
}

/* ---------------------------------------------------------------- the glue */

/* What the HAL glue below needs from a key store (PKCS#11 or the
 * simulator); each op takes the backend and reaches its own store. The
 * glue (PINs, write-once, "not found", listing) is written once over it. */
typedef struct tee_store {
	int (*logged_in)(hal_ctx *be);
	int (*login)(hal_ctx *be, const pb_secret *pin, pb_err *e);
	int (*pubkey)(hal_ctx *be, const char *label, pb_pubkey *out, int *found, pb_err *e);
	int (*keygen)(hal_ctx *be, const char *label, pb_alg alg, int force, pb_err *e);
	int (*destroy)(hal_ctx *be, const char *label, int *found, pb_err *e);
	int (*list)(hal_ctx *be, hal_key_list_fn fn, void *ctx, pb_err *e);
	int (*init_token)(hal_ctx *be, const char *label, const pb_secret *so, pb_err *e);
	int (*init_pin)(hal_ctx *be, const pb_secret *so, const pb_secret *pin, pb_err *e);
} tee_store;

/* The head of both contexts: hal_ctx points at base.vtable. */
typedef struct tee_ctx {
	hal_base base;
	const tee_store *st;
} tee_ctx;

static const tee_store *ST(hal_ctx *be)
{
	return ((tee_ctx *)(void *)be)->st;
}

static int user_login(hal_ctx *be, pb_err *e)
{
	pb_secret pin;
	int rc;

	if (ST(be)->logged_in(be))
		return 0;
	if (need_pin(be, HAL_AUTH_USER_PIN, &pin, e) != 0)
		return e->code;
	rc = ST(be)->login(be, &pin, e);
	pb_secret_wipe(&pin);
	return rc;
}

static int tee_key_create(hal_ctx *be, const hal_key_ref *ref, const hal_key_spec *spec, pb_err *e)
{
	pb_pubkey pub;
	int found, force = spec->force;

	if (check_spec(spec, e) != 0 || user_login(be, e) != 0)
		return e->code;
	if (spec->policy & HAL_POLICY_WRITE_ONCE) {
		if (ST(be)->pubkey(be, ref->name, &pub, &found, e) != 0)
			return e->code;
		if (found)
			return pb_fail(e, PB_EFAIL, "key tee:%s exists and is write-once", ref->name);
		force = 0;
	}
	return ST(be)->keygen(be, ref->name, spec->alg, force, e);
}

static int tee_key_destroy(hal_ctx *be, const hal_key_ref *ref, pb_err *e)
{
	int found;

	if (user_login(be, e) != 0 || ST(be)->destroy(be, ref->name, &found, e) != 0)
		return e->code;
	return found ? 0 : pb_fail(e, PB_EFAIL, "key tee:%s: not found", ref->name);
}

/* Like a PKCS#11 token: private objects show to the user only. */
static int tee_key_list(hal_ctx *be, hal_key_list_fn fn, void *ctx, pb_err *e)
{
	if (user_login(be, e) != 0)
		return e->code;
	return ST(be)->list(be, fn, ctx, e);
}

typedef struct list_ctx {
	hal_key_list_fn fn;
	void *ctx;
} list_ctx;

/* One listed key, as hal_key_info: every key here is a signing key. */
static int list_emit(list_ctx *l, const char *label, pb_alg alg, int sensitive, int extractable,
	int local, pb_err *e)
{
	hal_key_info info;

	memset(&info, 0, sizeof info);
	info.ref.kind = HAL_TEE;
	snprintf(info.ref.name, sizeof info.ref.name, "%s", label);
	info.alg = alg;
	info.usage = HAL_USAGE_SIGN;
	info.sensitive = sensitive;
	info.extractable = extractable;
	info.local = local;
	return l->fn(l->ctx, &info, e);
}

static int tee_token_init(hal_ctx *be, const char *label, pb_err *e)
{
	pb_secret so;
	int rc;

	if (need_pin(be, HAL_AUTH_SO_PIN, &so, e) != 0)
		return e->code;
	rc = ST(be)->init_token(be, label, &so, e);
	pb_secret_wipe(&so);
	return rc;
}

static int tee_token_set_pin(hal_ctx *be, pb_err *e)
{
	pb_secret so, pin;
	int rc;

	if (need_pin(be, HAL_AUTH_SO_PIN, &so, e) != 0)
		return e->code;
	rc = need_pin(be, HAL_AUTH_NEW_PIN, &pin, e);
	if (rc == 0)
		rc = ST(be)->init_pin(be, &so, &pin, e);
	pb_secret_wipe(&so);
	pb_secret_wipe(&pin);
	return rc;
}

/* ---------------------------------------------------------------- PKCS#11 */

typedef struct tee_p11 {
	tee_ctx head;
	p11 p;
} tee_p11;

static p11 *P(hal_ctx *be)
{
	return &((tee_p11 *)(void *)be)->p;
}

static int p11s_logged_in(hal_ctx *be)
{
	return P(be)->logged_in && P(be)->user == CKU_USER;
}

static int p11s_login(hal_ctx *be, const pb_secret *pin, pb_err *e)
{
	return p11_login(P(be), CKU_USER, pin, e);
}

static int p11s_pubkey(hal_ctx *be, const char *label, pb_pubkey *out, int *found, pb_err *e)
{
	return p11_pubkey(P(be), label, out, found, e);
}

static int p11s_keygen(hal_ctx *be, const char *label, pb_alg alg, int force, pb_err *e)
{
	return p11_keygen(P(be), label, alg, force, e);
}

static int p11s_destroy(hal_ctx *be, const char *label, int *found, pb_err *e)
{
	return p11_destroy(P(be), label, found, e);
}

static int p11_list_one(void *ctx, const p11_keyinfo *k, pb_err *e)
{
	return list_emit(ctx, k->label, k->alg, k->sensitive, k->extractable, k->local, e);
}

static int p11s_list(hal_ctx *be, hal_key_list_fn fn, void *ctx, pb_err *e)
{
	list_ctx l = {fn, ctx};

	return p11_list(P(be), p11_list_one, &l, e);
}

static int p11s_init_token(hal_ctx *be, const char *label, const pb_secret *so, pb_err *e)
{
	int changed;

	return p11_init_token(P(be), label, so, 0, &changed, e);
}

static int p11s_init_pin(hal_ctx *be, const pb_secret *so, const pb_secret *pin, pb_err *e)
{
	return p11_init_pin(P(be), so, pin, e);
}

static const tee_store p11_store = {
	p11s_logged_in, p11s_login, p11s_pubkey, p11s_keygen, p11s_destroy, p11s_list,
	p11s_init_token, p11s_init_pin,
};

/* Needs no PIN when the pair has its public key object; a private key
 * alone shows only to the user, so then log in if a PIN was given. */
static int p11_key_public(hal_ctx *be, const hal_key_ref *ref, pb_pubkey *out, int *found, pb_err *e)
{
	pb_secret pin;
	int given = 0, rc;

	if (p11_pubkey(P(be), ref->name, out, found, e) != 0)
		return e->code;
	if (*found || P(be)->logged_in)
		return 0;
	if (hal_auth_get(be, HAL_AUTH_USER_PIN, &pin, &given, e) != 0)
		return e->code;
	rc = given ? p11_login(P(be), CKU_USER, &pin, e) : 0;
	pb_secret_wipe(&pin);
	if (rc != 0 || !given)
		return rc;
	return p11_pubkey(P(be), ref->name, out, found, e);
}

static int p11_key_sign(hal_ctx *be, const hal_key_ref *ref, pb_hash h, const uint8_t *digest,
	size_t dlen, uint8_t *sig, size_t cap, size_t *siglen, pb_err *e)
{
	uint8_t raw[PB_SIG_MAX], in[128];
	size_t rlen, inlen;
	pb_pubkey pub;
	int found;

	if (user_login(be, e) != 0 || p11_pubkey(P(be), ref->name, &pub, &found, e) != 0)
		return e->code;
	if (!found)
		return pb_fail(e, PB_EFAIL, "key tee:%s: not found", ref->name);
	if (pb_alg_is_ec(pub.alg)) {
		if (p11_sign(P(be), ref->name, CKM_ECDSA, digest, dlen, raw, sizeof raw, &rlen, e) != 0)
			return e->code;
		return pb_ecdsa_raw_to_der(raw, rlen, sig, cap, siglen, e);
	}
	if (pb_digest_info(h, digest, dlen, in, sizeof in, &inlen, e) != 0)
		return e->code;
	return p11_sign(P(be), ref->name, CKM_RSA_PKCS, in, inlen, sig, cap, siglen, e);
}

static int p11_rand(hal_ctx *be, uint8_t *buf, size_t len, pb_err *e)
{
	return p11_random(P(be), buf, len, e);
}

static int p11_token_erase(hal_ctx *be, pb_err *e)
{
	pb_secret so;
	int rc;

	if (need_pin(be, HAL_AUTH_SO_PIN, &so, e) != 0)
		return e->code;
	rc = p11_reset(P(be), &so, e);
	pb_secret_wipe(&so);
	return rc;
}

static int p11_token_info(hal_ctx *be, char *buf, size_t cap, pb_err *e)
{
	p11 *p = P(be);
	p11_token t[32];
	size_t n, off;

	/* a token --tee names must be there */
	if (((p->uri.token[0] || p->uri.serial[0]) && p11_select(p, e) != 0) ||
	    p11_tokens(p, t, 32, &n, e) != 0)
		return e->code;
	off = (size_t)snprintf(buf, cap, "module:    %s\n", p->uri.module);
	for (size_t i = 0; i < n && off < cap; i++) {
		const char *pin = !(t[i].flags & CKF_USER_PIN_INITIALIZED) ? "not set" :
		                  (t[i].flags & CKF_USER_PIN_LOCKED) ? "LOCKED" :
		                  (t[i].flags & CKF_USER_PIN_FINAL_TRY) ? "set, final try" :
		                  (t[i].flags & CKF_USER_PIN_COUNT_LOW) ? "set, wrong tries counted" : "set";
		if (!(t[i].flags & CKF_TOKEN_INITIALIZED))
			off += (size_t)snprintf(buf + off, cap - off, "token:     (uninitialised) %s %s\n",
				t[i].manufacturer, t[i].model);
		else
			off += (size_t)snprintf(buf + off, cap - off,
				"token:     '%s' serial %s (%s %s), user PIN %s%s%s\n", t[i].label, t[i].serial,
				t[i].manufacturer, t[i].model, pin,
				(t[i].flags & CKF_SO_PIN_LOCKED) ? ", SO PIN LOCKED" : "",
				(p->uri.token[0] || p->uri.serial[0]) && p11_uri_names(&p->uri, &t[i]) ? "  <- --tee" : "");
	}
	return 0;
}

static void p11_close(hal_ctx *be)
{
	tee_p11 *c = (tee_p11 *)(void *)be;

	p11_unload(&c->p);
	free(c);
}

static const hal_backend_class p11_class = {
	.name = "tee",
	.caps = HAL_CAP_SIGN_THREADSAFE | HAL_CAP_NON_EXTRACTABLE | HAL_CAP_TOKEN_ADMIN,
	.key_create = tee_key_create,
	.key_public = p11_key_public,
	.key_sign = p11_key_sign,
	.key_destroy = tee_key_destroy,
	.key_list = tee_key_list,
	.random = p11_rand,
	/* no NV and no lifecycle: a PKCS#11 token cannot refuse a rollback */
	.token_init = tee_token_init,
	.token_set_pin = tee_token_set_pin,
	.token_erase = p11_token_erase,
	.token_info = p11_token_info,
	.close = p11_close,
};

static int open_p11(const hal_open_opts *o, const char *uri, hal_ctx **be, pb_err *e)
{
	tee_p11 *c;
	p11_uri u;

	if (p11_uri_parse(uri, &u, e) != 0)
		return e->code;
	c = calloc(1, sizeof *c);
	if (c == NULL)
		return pb_fail(e, PB_EFAIL, "tee: out of memory");
	if (p11_load(&c->p, &u, e) != 0) {
		p11_unload(&c->p);
		free(c);
		return e->code;
	}
	hal_base_init(&c->head.base, &p11_class, o);
	c->head.st = &p11_store;
	*be = &c->head.base.vtable;
	return 0;
}

/* ---------------------------------------------------------------- simulator */

#if PB_SIM
typedef struct tee_sim {
	tee_ctx head;
	sim_tee *t;
} tee_sim;

static sim_tee *S(hal_ctx *be)
{
	return ((tee_sim *)(void *)be)->t;
}

static int sims_logged_in(hal_ctx *be)
{
	return sim_tee_logged_in(S(be));
}

static int sims_login(hal_ctx *be, const pb_secret *pin, pb_err *e)
{
	return sim_tee_login(S(be), pin, e);
}

static int sims_pubkey(hal_ctx *be, const char *label, pb_pubkey *out, int *found, pb_err *e)
{
	return sim_tee_public(S(be), label, out, found, e);
}

static int sims_keygen(hal_ctx *be, const char *label, pb_alg alg, int force, pb_err *e)
{
	return sim_tee_keygen(S(be), label, alg, force, e);
}

static int sims_destroy(hal_ctx *be, const char *label, int *found, pb_err *e)
{
	return sim_tee_destroy(S(be), label, found, e);
}

/* sensitive, not extractable, made inside: what the simulator guarantees for every key */
static int sim_list_one(void *ctx, const sim_tee_entry *k, pb_err *e)
{
	return list_emit(ctx, k->label, k->alg, 1, 0, 1, e);
}

static int sims_list(hal_ctx *be, hal_key_list_fn fn, void *ctx, pb_err *e)
{
	list_ctx l = {fn, ctx};

	return sim_tee_list(S(be), sim_list_one, &l, e);
}

static int sims_init_token(hal_ctx *be, const char *label, const pb_secret *so, pb_err *e)
{
	int changed;

	return sim_tee_init_token(S(be), label, so, 0, &changed, e);
}

static int sims_init_pin(hal_ctx *be, const pb_secret *so, const pb_secret *pin, pb_err *e)
{
	return sim_tee_init_pin(S(be), so, pin, e);
}

static int sim_key_public(hal_ctx *be, const hal_key_ref *ref, pb_pubkey *out, int *found, pb_err *e)
{
	return sims_pubkey(be, ref->name, out, found, e);
}

static int sim_key_sign(hal_ctx *be, const hal_key_ref *ref, pb_hash h, const uint8_t *digest,
	size_t dlen, uint8_t *sig, size_t cap, size_t *siglen, pb_err *e)
{
	if (user_login(be, e) != 0)
		return e->code;
	return sim_tee_sign(S(be), ref->name, h, digest, dlen, sig, cap, siglen, e);
}

static int sim_rand(hal_ctx *be, uint8_t *buf, size_t len, pb_err *e)
{
	(void)be;
	return pb_random(buf, len, e);
}

static const tee_store sim_store = {
	sims_logged_in, sims_login, sims_pubkey, sims_keygen, sims_destroy, sims_list,
	sims_init_token, sims_init_pin,
};

/* As emptying /var/lib/tee: no PIN, the token is uninitialised after. */
static int sim_token_erase(hal_ctx *be, pb_err *e)
{
	return sim_tee_reset(S(be), e);
}

static int sim_token_info(hal_ctx *be, char *buf, size_t cap, pb_err *e)
{
	sim_tee_status st;

	if (sim_tee_status_get(S(be), &st, e) != 0)
		return e->code;
	if (!st.initialised) {
		snprintf(buf, cap, "storage:   %s (simulated secure storage)\ntoken:     (uninitialised)\n", st.dir);
		return 0;
	}
	char user[48];

	if (!st.user_pin_set)
		snprintf(user, sizeof user, "not set");
	else if (st.user_tries == 0)
		snprintf(user, sizeof user, "LOCKED");
	else
		snprintf(user, sizeof user, "set, %u tries left", st.user_tries);
	snprintf(buf, cap, "storage:   %s (simulated secure storage)\n"
		"token:     '%s' serial %s, user PIN %s, SO PIN %s%u tries left, %u key%s\n",
		st.dir, st.label, st.serial, user, st.so_tries ? "" : "LOCKED, ", st.so_tries,
		st.objects, st.objects == 1 ? "" : "s");
	return 0;
}

static void sim_close(hal_ctx *be)
{
	tee_sim *c = (tee_sim *)(void *)be;

	sim_tee_close(c->t);
	free(c);
}

static const hal_backend_class sim_class = {
	.name = "tee",
	/* the simulator's lock is per call: a signature at a time, safely */
	.caps = HAL_CAP_SIGN_THREADSAFE | HAL_CAP_NON_EXTRACTABLE | HAL_CAP_TOKEN_ADMIN,
	.key_create = tee_key_create,
	.key_public = sim_key_public,
	.key_sign = sim_key_sign,
	.key_destroy = tee_key_destroy,
	.key_list = tee_key_list,
	.random = sim_rand,
	.token_init = tee_token_init,
	.token_set_pin = tee_token_set_pin,
	.token_erase = sim_token_erase,
	.token_info = sim_token_info,
	.close = sim_close,
};

static int open_sim(const hal_open_opts *o, hal_ctx **be, pb_err *e)
{
	tee_sim *c = calloc(1, sizeof *c);

	if (c == NULL)
		return pb_fail(e, PB_EFAIL, "tee: out of memory");
	if (sim_tee_open(o ? o->state_dir : NULL, &c->t, e) != 0) {
		free(c);
		return e->code;
	}
	hal_base_init(&c->head.base, &sim_class, o);
	c->head.st = &sim_store;
	*be = &c->head.base.vtable;
	return 0;
}
#endif

int hal_tee_open(const hal_open_opts *o, hal_ctx **be, pb_err *e)
{
	const char *uri = o ? o->tee_uri : NULL;

	*be = NULL;
	if (uri && strncmp(uri, "pkcs11:", 7) == 0)
		return open_p11(o, uri + 7, be, e);
	if (uri && *uri && strcmp(uri, "sim") != 0)
		return pb_fail(e, PB_EUSAGE, "--tee '%s': expected sim or pkcs11:/path/module.so"
			"[,token=LABEL][,serial=S]", uri);
#if PB_SIM
	return open_sim(o, be, e);
#else
	return pb_fail(e, PB_EFAIL, "--tee sim: the simulator is not in this build (SIM=0);"
		" use --tee pkcs11:/path/module.so");
#endif
}
