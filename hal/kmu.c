/* hal/kmu.c - the kmu backend: an nRF CC3xx-style Key Management Unit.
 *
 * --kmu sim (the default) is sim/kmu: slots and lifecycle OTP in
 * STATE/kmu/slots. The KMU itself enforces its policies (push-only,
 * write-once, usage, revocation); this file maps the HAL onto it:
 *
 *   kmu:huk       key_create writes both hardware unique keys (MKEK in
 *                 slots 2-3, MEXT in 4-5) at once, as nRF's
 *                 hw_unique_key_write_random() does; derive-only
 *   kmu:mkek, kmu:mext   listed, never read, never sign
 *   kmu:identity  the secp256r1 identity key (KIDENT, slots 6-7),
 *                 encrypted under an MKEK-derived key; signs
 *
 * Every key is write-once and push-only whatever the spec asks: a KMU
 * slot cannot be rewritten, only revoked (key_destroy) or cleared with
 * every other one by ERASEALL (token_erase), which also takes the
 * lifecycle back to assembly. The lifecycle is the KMU's own OTP
 * markers (left_assembly, left_provisioning, left_secure).
 *
 * Each operation reads the slot file afresh and keeps nothing but its
 * path, so signing from several threads is safe.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hal/hal.h"
#if PB_SIM
#include "sim/kmu.h"
#endif

#if PB_SIM

typedef struct kmu_ctx {
	hal_base base;
	sim_kmu kmu;
} kmu_ctx;

static kmu_ctx *ctx_of(hal_ctx *be)
{
	return (kmu_ctx *)(void *)be;
}

/* The keys of the nRF layout, by name. */
typedef struct kmu_key {
	const char *name;
	unsigned slot;          /* first of its pair */
	hal_usage usage;
	pb_alg alg;
} kmu_key;

static const kmu_key keys[] = {
	{"mkek", SIM_KMU_MKEK, HAL_USAGE_DERIVE, PB_ALG_NONE},
	{"mext", SIM_KMU_MEXT, HAL_USAGE_DERIVE, PB_ALG_NONE},
	{"identity", SIM_KMU_KIDENT, HAL_USAGE_SIGN, PB_ALG_EC_P256},
};

static int find_key(const hal_key_ref *ref, const kmu_key **k, pb_err *e)
{
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (strcmp(ref->name, keys[i].name) == 0) {
			*k = &keys[i];
			return 0;
		}
	return pb_fail(e, PB_EUSAGE, "kmu:%s: no such key (kmu:identity, kmu:huk, kmu:mkek, kmu:mext)",
		ref->name);
}

static int kmu_key_create(hal_ctx *be, const hal_key_ref *ref, const hal_key_spec *spec, pb_err *e)
{
	kmu_ctx *c = ctx_of(be);

	if (!spec->persistent)
		return pb_fail(e, PB_EUSAGE, "kmu backend: KMU keys are persistent (no session keys)");
	if (strcmp(ref->name, "huk") == 0) {
		if (spec->usage != HAL_USAGE_DERIVE)
			return pb_fail(e, PB_EUSAGE, "kmu:huk: hardware unique keys are derive-only");
		return sim_kmu_gen_huk(&c->kmu, e);
	}
	if (strcmp(ref->name, "identity") == 0) {
		if (spec->usage != HAL_USAGE_SIGN || spec->alg != PB_ALG_EC_P256)
			return pb_fail(e, PB_EUSAGE, "kmu:identity: the identity key is an ec-p256 signing key");
		/* force cannot help: the slots are write-once until erase-all */
		return sim_kmu_gen_identity(&c->kmu, e);
	}
	if (strcmp(ref->name, "mkek") == 0 || strcmp(ref->name, "mext") == 0)
		return pb_fail(e, PB_EUSAGE, "kmu:%s: written with the other HUK as kmu:huk", ref->name);
	return pb_fail(e, PB_EUSAGE, "kmu:%s: no such key (kmu:identity, kmu:huk)", ref->name);
}

static int kmu_key_public(hal_ctx *be, const hal_key_ref *ref, pb_pubkey *out, int *found, pb_err *e)
{
	const kmu_key *k;

	*found = 0;
	if (find_key(ref, &k, e) != 0)
		return e->code;
	if (k->usage != HAL_USAGE_SIGN)
		return pb_fail(e, PB_EFAIL, "kmu:%s: a derive-only symmetric key has no public key", k->name);
	return sim_kmu_public(&ctx_of(be)->kmu, k->slot, out, found, e);
}

static int kmu_key_sign(hal_ctx *be, const hal_key_ref *ref, pb_hash h, const uint8_t *digest,
	size_t dlen, uint8_t *sig, size_t cap, size_t *siglen, pb_err *e)
{
	const kmu_key *k;

	if (find_key(ref, &k, e) != 0)
		return e->code;
	/* no check of usage here: the KMU refuses a derive-only key itself */
	return sim_kmu_sign(&ctx_of(be)->kmu, k->slot, h, digest, dlen, sig, cap, siglen, e);
}

/* A KMU slot is never erased alone: revoked, it stays unusable until ERASEALL. */
static int kmu_key_destroy(hal_ctx *be, const hal_key_ref *ref, pb_err *e)
{
	kmu_ctx *c = ctx_of(be);
	const kmu_key *k;
	sim_kmu_image img;
	int present;

	if (find_key(ref, &k, e) != 0)
		return e->code;
	if (sim_kmu_load(&c->kmu, &img, e) != 0)
		return e->code;
	present = sim_kmu_img_pair_present(&img, k->slot);
	sim_kmu_image_wipe(&img);
	if (!present)
		return pb_fail(e, PB_EFAIL, "kmu:%s: no such key", k->name);
	return sim_kmu_revoke(&c->kmu, k->slot, 2, e);
}

static int kmu_key_list(hal_ctx *be, hal_key_list_fn fn, void *ctx, pb_err *e)
{
	sim_kmu_image img;
	int rc = 0;

	if (sim_kmu_load(&ctx_of(be)->kmu, &img, e) != 0)
		return e->code;
	for (size_t i = 0; i < sizeof keys / sizeof keys[0] && rc == 0; i++) {
		hal_key_info info;
		const sim_kmu_slot *s = &img.slot[keys[i].slot];

		if (!sim_kmu_img_pair_present(&img, keys[i].slot))
			continue;
		memset(&info, 0, sizeof info);
		info.ref.kind = HAL_KMU;
		snprintf(info.ref.name, sizeof info.ref.name, "%s", keys[i].name);
		info.alg = keys[i].alg;
		info.usage = s->usage == SIM_KMU_USAGE_DERIVE ? HAL_USAGE_DERIVE : HAL_USAGE_SIGN;
		info.policy = (s->flags & SIM_KMU_WRITE_ONCE ? HAL_POLICY_WRITE_ONCE : 0u) |
		              (s->flags & SIM_KMU_PUSH_ONLY ? HAL_POLICY_PUSH_ONLY : 0u);
		info.sensitive = 1;
		info.extractable = 0;
		info.local = 1;
		rc = fn(ctx, &info, e);
	}
	sim_kmu_image_wipe(&img);
	return rc;
}

static int kmu_random(hal_ctx *be, uint8_t *buf, size_t len, pb_err *e)
{
	(void)be;
	return pb_random(buf, len, e);
}

static int kmu_lifecycle_read(hal_ctx *be, hal_lifecycle *lc, int *present, pb_err *e)
{
	int s;

	if (sim_kmu_lc_read(&ctx_of(be)->kmu, &s, present, e) != 0)
		return e->code;
	*lc = (hal_lifecycle)s;
	return 0;
}

static int kmu_lifecycle_write(hal_ctx *be, hal_lifecycle to, pb_err *e)
{
	return sim_kmu_lc_write(&ctx_of(be)->kmu, (int)to, e);
}

static int kmu_lifecycle_protection(hal_ctx *be, char *buf, size_t cap, pb_err *e)
{
	(void)be;
	(void)e;
	snprintf(buf, cap, "KMU OTP markers (simulated in STATE/kmu): only set; ERASEALL clears them with every key");
	return 0;
}

static int kmu_token_erase(hal_ctx *be, pb_err *e)
{
	return sim_kmu_erase_all(&ctx_of(be)->kmu, e);
}

static const char *usage_text(unsigned u)
{
	return u == SIM_KMU_USAGE_SIGN ? "sign-only" : u == SIM_KMU_USAGE_DERIVE ? "derive-only" : "data";
}

static const char *slot_name(unsigned first)
{
	return first == SIM_KMU_MKEK ? "MKEK" : first == SIM_KMU_MEXT ? "MEXT" :
	       first == SIM_KMU_KIDENT ? "KIDENT" : "";
}

/* One line per key (pairs) or slot in use: "slots 2-3 MKEK: derive-only, push-only, write-once". */
static int kmu_token_info(hal_ctx *be, char *buf, size_t cap, pb_err *e)
{
	sim_kmu_image img;
	size_t n = 0;

	if (cap == 0)
		return pb_fail(e, PB_EFAIL, "kmu backend: no room for the status");
	buf[0] = '\0';
	if (sim_kmu_load(&ctx_of(be)->kmu, &img, e) != 0)
		return e->code;
	for (unsigned i = 0; i < SIM_KMU_SLOTS && n < cap; i++) {
		const sim_kmu_slot *s = &img.slot[i];
		int pair = (i == SIM_KMU_MKEK || i == SIM_KMU_MEXT || i == SIM_KMU_KIDENT) &&
		           img.slot[i + 1].used;
		int w;

		if (!s->used)
			continue;
		if (pair)
			w = snprintf(buf + n, cap - n, "slots %u-%u %s: ", i, i + 1, slot_name(i));
		else
			w = snprintf(buf + n, cap - n, "slot %u: ", i);
		if (w > 0 && (size_t)w < cap - n)
			n += (size_t)w;
		if (s->flags & SIM_KMU_REVOKED)
			w = snprintf(buf + n, cap - n, "revoked\n");
		else
			w = snprintf(buf + n, cap - n, "%s%s%s\n", usage_text(s->usage),
				s->flags & SIM_KMU_PUSH_ONLY ? ", push-only" : "",
				s->flags & SIM_KMU_WRITE_ONCE ? ", write-once" : "");
		if (w > 0 && (size_t)w < cap - n)
			n += (size_t)w;
		if (pair)
			i++;
	}
	if (n == 0)
		snprintf(buf, cap, "no slot in use\n");
	sim_kmu_image_wipe(&img);
	return 0;
}

static void kmu_close(hal_ctx *be)
{
	kmu_ctx *c = ctx_of(be);

	explicit_bzero(c, sizeof *c);
	free(c);
}

static const hal_backend_class kmu_class = {
	.name = "kmu",
	.caps = HAL_CAP_SIGN_THREADSAFE | HAL_CAP_NON_EXTRACTABLE | HAL_CAP_TOKEN_ADMIN | HAL_CAP_LIFECYCLE,
	.key_create = kmu_key_create,
	.key_public = kmu_key_public,
	.key_sign = kmu_key_sign,
	.key_destroy = kmu_key_destroy,
	.key_list = kmu_key_list,
	.random = kmu_random,
	/* no NV slots of its own: the lifecycle is its OTP */
	.lifecycle_read = kmu_lifecycle_read,
	.lifecycle_write = kmu_lifecycle_write,
	.lifecycle_protection = kmu_lifecycle_protection,
	.token_erase = kmu_token_erase,
	.token_info = kmu_token_info,
	.close = kmu_close,
};

int hal_kmu_open(const hal_open_opts *o, hal_ctx **be, pb_err *e)
{
	const char *uri = o ? o->kmu_uri : NULL;
	kmu_ctx *c;

	*be = NULL;
	if (uri != NULL && strcmp(uri, "sim") != 0)
		return pb_fail(e, PB_EUSAGE, "kmu backend: unknown --kmu '%s' (only 'sim')", uri);
	c = calloc(1, sizeof *c);
	if (c == NULL)
		return pb_fail(e, PB_EFAIL, "kmu backend: out of memory");
	hal_base_init(&c->base, &kmu_class, o);
	if (sim_kmu_open(&c->kmu, o ? o->state_dir : NULL, e) != 0) {
		free(c);
		return e->code;
	}
	*be = &c->base.vtable;
	return 0;
}

#else /* SIM=0: the KMU is on-device firmware this host does not have */

int hal_kmu_open(const hal_open_opts *o, hal_ctx **be, pb_err *e)
{
	const char *uri = o ? o->kmu_uri : NULL;

	*be = NULL;
	return pb_fail(e, PB_EFAIL, "kmu backend: '%s' is not available in this build (no simulator, "
		"no KMU driver)", uri ? uri : "sim");
}

#endif
