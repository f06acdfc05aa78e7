/* hal/hal.c - key references, backend dispatch, checked calls; see hal.h. */
#include "hal/hal.h"

#include <stdio.h>
#include <string.h>

#include "core/base/cli.h"

#ifndef PB_HAL_TEE
#define PB_HAL_TEE 0
#endif
#ifndef PB_HAL_KMU
#define PB_HAL_KMU 0
#endif

static const char *const kind_names[] = {
	[HAL_NONE] = "none", [HAL_TPM] = "tpm", [HAL_TEE] = "tee", [HAL_KMU] = "kmu", [HAL_FILE] = "file"
};

const char *hal_kind_name(hal_kind kind)
{
	return (unsigned)kind <= HAL_FILE ? kind_names[kind] : "?";
}

/* tee labels and kmu slot names: what PKCS#11 labels and file names both take */
static int valid_label(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' || *s == '.'))
			return 0;
	return 1;
}

int hal_key_ref_parse(const char *text, hal_key_ref *ref, pb_err *e)
{
	const char *colon = strchr(text, ':');
	const char *rest;
	size_t klen;

	memset(ref, 0, sizeof *ref);
	if (colon == NULL)
		return pb_fail(e, PB_EUSAGE, "key '%s': expected tpm:HANDLE, tee:LABEL, kmu:SLOT or file:PATH", text);
	klen = (size_t)(colon - text);
	rest = colon + 1;
	for (int k = HAL_TPM; k <= HAL_FILE; k++)
		if (strlen(kind_names[k]) == klen && memcmp(text, kind_names[k], klen) == 0)
			ref->kind = (hal_kind)k;
	switch (ref->kind) {
	case HAL_TPM: {
		unsigned long long h;
		pb_err sub;
		/* persistent handles live in 0x81000000..0x81FFFFFF */
		if (strncmp(rest, "0x", 2) != 0 ||
		    pb_cli_uint("tpm handle", rest, 0x81000000ull, 0x81FFFFFFull, &h, &sub) != 0)
			return pb_fail(e, PB_EUSAGE,
				"key '%s': TPM handle must be a persistent handle 0x81000000..0x81FFFFFF", text);
		ref->handle = (uint32_t)h;
		snprintf(ref->name, sizeof ref->name, "0x%08x", ref->handle);
		return 0;
	}
	case HAL_TEE:
	case HAL_KMU:
		if (!valid_label(rest))
			return pb_fail(e, PB_EUSAGE, "key '%s': label must be 1-64 of [A-Za-z0-9._-]", text);
		strcpy(ref->name, rest);
		return 0;
	case HAL_FILE:
		if (*rest == '\0' || strlen(rest) >= sizeof ref->name)
			return pb_fail(e, PB_EUSAGE, "key '%s': missing or too long path", text);
		strcpy(ref->name, rest);
		return 0;
	default:
		return pb_fail(e, PB_EUSAGE, "key '%s': unknown backend '%.*s' (tpm, tee, kmu, file)",
			text, (int)klen, text);
	}
}

const char *hal_key_ref_text(const hal_key_ref *ref, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s:%s", hal_kind_name(ref->kind), ref->name);
	return buf;
}

static const char *const lc_names[] = {"assembly", "provisioning", "secured", "decommissioned"};

const char *hal_lifecycle_name(hal_lifecycle lc)
{
	return (unsigned)lc <= HAL_LC_DECOMMISSIONED ? lc_names[lc] : "?";
}

int hal_lifecycle_parse(const char *name, hal_lifecycle *lc, pb_err *e)
{
	for (int i = 0; i <= HAL_LC_DECOMMISSIONED; i++) {
		if (strcmp(name, lc_names[i]) == 0) {
			*lc = (hal_lifecycle)i;
			return 0;
		}
	}
	return pb_fail(e, PB_EUSAGE,
		"lifecycle state '%s': expected assembly, provisioning, secured or decommissioned", name);
}

/* Backends that this build does not carry yet answer here. */
static int open_missing(hal_kind kind, pb_err *e)
{
	return pb_fail(e, PB_EFAIL, "%s backend: not available in this build", hal_kind_name(kind));
}

/* The TEE and KMU constructors come with their backends (hal/tee*.c,
 * hal/kmu*.c; the Makefile defines PB_HAL_TEE / PB_HAL_KMU when such a file
 * exists). Not weak symbols: a static archive would keep the stub. */
#if !PB_HAL_TEE
int hal_tee_open(const hal_open_opts *o, hal_ctx **be, pb_err *e)
{
	(void)o;
	*be = NULL;
	return open_missing(HAL_TEE, e);
}
#endif

#if !PB_HAL_KMU
int hal_kmu_open(const hal_open_opts *o, hal_ctx **be, pb_err *e)
{
	(void)o;
	*be = NULL;
	return open_missing(HAL_KMU, e);
}
#endif

int hal_kind_available(hal_kind kind)
{
	switch (kind) {
	case HAL_FILE: return 1;
	case HAL_TPM: return 1;
	case HAL_TEE: return PB_HAL_TEE;
	case HAL_KMU: return PB_HAL_KMU;
	default: return 0;
	}
}

hal_key_spec hal_key_spec_sign(pb_alg alg, int force)
{
	hal_key_spec s = {
		.alg = alg, .usage = HAL_USAGE_SIGN, .persistent = 1, .policy = 0, .force = force
	};
	return s;
}

void hal_base_init(hal_base *b, const hal_backend_class *cls, const hal_open_opts *o)
{
	b->vtable = cls;
	b->auth = o ? o->auth : NULL;
	b->auth_ctx = o ? o->auth_ctx : NULL;
}

int hal_open(hal_kind kind, const hal_open_opts *o, hal_ctx **be, pb_err *e)
{
	static const hal_open_opts none;

	if (o == NULL)
		o = &none;
	*be = NULL;
	switch (kind) {
	case HAL_FILE:
		return hal_file_open(o, be, e);
	case HAL_TPM:
		return hal_tpm_open(o, be, e);
	case HAL_TEE:
		return hal_tee_open(o, be, e);
	case HAL_KMU:
		return hal_kmu_open(o, be, e);
	default:
		return open_missing(kind, e);
	}
}

int hal_open_for_key(const hal_key_ref *ref, const hal_open_opts *o, hal_ctx **be, pb_err *e)
{
	return hal_open(ref->kind, o, be, e);
}

void hal_close(hal_ctx *be)
{
	if (be && *be && (*be)->close)
		(*be)->close(be);
}

static hal_base *base_of(hal_ctx *be)
{
	return (hal_base *)(void *)be;
}

int hal_auth_get(hal_ctx *be, hal_auth which, pb_secret *out, int *given, pb_err *e)
{
	hal_base *b = base_of(be);

	pb_secret_wipe(out);
	*given = 0;
	if (b->auth == NULL)
		return 0;
	return b->auth(b->auth_ctx, which, out, given, e);
}

#define UNSUPPORTED(op) pb_fail(e, PB_EFAIL, "%s backend: %s not supported", (*be)->name, op)

int hal_key_create(hal_ctx *be, const hal_key_ref *ref, const hal_key_spec *spec, pb_err *e)
{
	return (*be)->key_create ? (*be)->key_create(be, ref, spec, e) : UNSUPPORTED("key creation");
}

int hal_key_find(hal_ctx *be, const hal_key_ref *ref, pb_pubkey *out, int *found, pb_err *e)
{
	*found = 0;
	return (*be)->key_public ? (*be)->key_public(be, ref, out, found, e) : UNSUPPORTED("public key");
}

int hal_key_public(hal_ctx *be, const hal_key_ref *ref, pb_pubkey *out, pb_err *e)
{
	char text[PATH_MAX + 8];
	int found;

	if (hal_key_find(be, ref, out, &found, e) != 0)
		return e->code;
	if (!found)
		return pb_fail(e, PB_EFAIL, "key %s: not found", hal_key_ref_text(ref, text, sizeof text));
	return 0;
}

int hal_key_sign(hal_ctx *be, const hal_key_ref *ref, pb_hash h, const uint8_t *digest,
	size_t dlen, uint8_t *sig, size_t cap, size_t *siglen, pb_err *e)
{
	if ((*be)->key_sign == NULL)
		return UNSUPPORTED("signing");
	return (*be)->key_sign(be, ref, h, digest, dlen, sig, cap, siglen, e);
}

int hal_key_destroy(hal_ctx *be, const hal_key_ref *ref, pb_err *e)
{
	return (*be)->key_destroy ? (*be)->key_destroy(be, ref, e) : UNSUPPORTED("key removal");
}

int hal_key_list(hal_ctx *be, hal_key_list_fn fn, void *ctx, pb_err *e)
{
	return (*be)->key_list ? (*be)->key_list(be, fn, ctx, e) : UNSUPPORTED("key listing");
}

int hal_random(hal_ctx *be, uint8_t *buf, size_t len, pb_err *e)
{
	return (*be)->random ? (*be)->random(be, buf, len, e) : UNSUPPORTED("random");
}

int hal_nv_read(hal_ctx *be, uint32_t index, uint8_t *buf, size_t cap, size_t *len,
	int *defined, pb_err *e)
{
	if ((*be)->nv_read == NULL)
		return UNSUPPORTED("protected NV storage");
	return (*be)->nv_read(be, index, buf, cap, len, defined, e);
}

int hal_nv_write_once(hal_ctx *be, uint32_t index, const uint8_t *data, size_t len, pb_err *e)
{
	if ((*be)->nv_write_once == NULL)
		return UNSUPPORTED("protected NV storage");
	return (*be)->nv_write_once(be, index, data, len, e);
}

int hal_nv_counter(hal_ctx *be, uint32_t index, int increment, uint64_t *value, pb_err *e)
{
	if ((*be)->nv_counter == NULL)
		return UNSUPPORTED("NV counters");
	return (*be)->nv_counter(be, index, increment, value, e);
}

/* The NV default applies to a backend with write-once NV and no lifecycle
 * slots of its own. */
static int nv_default(hal_ctx *be)
{
	return (*be)->lifecycle_read == NULL && (*be)->lifecycle_write == NULL &&
	       (*be)->nv_read != NULL && (*be)->nv_write_once != NULL;
}

int hal_has_lifecycle(hal_ctx *be)
{
	return ((*be)->lifecycle_read != NULL && (*be)->lifecycle_write != NULL) || nv_default(be);
}

int hal_lifecycle_read(hal_ctx *be, hal_lifecycle *lc, int *present, pb_err *e)
{
	*present = 0;
	*lc = HAL_LC_ASSEMBLY;
	if (nv_default(be))
		return hal_lifecycle_nv_read(be, lc, present, e);
	return (*be)->lifecycle_read ? (*be)->lifecycle_read(be, lc, present, e) : UNSUPPORTED("lifecycle");
}

int hal_lifecycle_write(hal_ctx *be, hal_lifecycle to, pb_err *e)
{
	if (nv_default(be))
		return hal_lifecycle_nv_write(be, to, e);
	return (*be)->lifecycle_write ? (*be)->lifecycle_write(be, to, e) : UNSUPPORTED("lifecycle");
}

int hal_lifecycle_protection(hal_ctx *be, char *buf, size_t cap, pb_err *e)
{
	if ((*be)->lifecycle_protection)
		return (*be)->lifecycle_protection(be, buf, cap, e);
	if (nv_default(be))
		return hal_lifecycle_nv_protection(be, buf, cap, e);
	return UNSUPPORTED("lifecycle");
}

int hal_token_init(hal_ctx *be, const char *label, pb_err *e)
{
	return (*be)->token_init ? (*be)->token_init(be, label, e) : UNSUPPORTED("token initialisation");
}

int hal_token_set_pin(hal_ctx *be, pb_err *e)
{
	return (*be)->token_set_pin ? (*be)->token_set_pin(be, e) : UNSUPPORTED("setting a PIN");
}

int hal_token_erase(hal_ctx *be, pb_err *e)
{
	return (*be)->token_erase ? (*be)->token_erase(be, e) : UNSUPPORTED("erasing");
}

int hal_token_info(hal_ctx *be, char *buf, size_t cap, pb_err *e)
{
	return (*be)->token_info ? (*be)->token_info(be, buf, cap, e) : UNSUPPORTED("token status");
}

unsigned hal_caps(hal_ctx *be)
{
	return (*be)->caps | (nv_default(be) ? HAL_CAP_LIFECYCLE : 0u);
}

int hal_sign_data(hal_ctx *be, const hal_key_ref *ref, pb_hash h, const void *data, size_t len,
	uint8_t *sig, size_t cap, size_t *siglen, pb_err *e)
{
	uint8_t digest[PB_HASH_MAX];

	pb_hash_data(h, data, len, digest);
	return hal_key_sign(be, ref, h, digest, pb_hash_len(h), sig, cap, siglen, e);
}

static int hal_signer_cb(void *ctx, const uint8_t *digest, size_t dlen,
	uint8_t *sig, size_t cap, size_t *siglen, pb_err *e)
{
	hal_signer_ctx *h = ctx;

	return hal_key_sign(h->be, h->ref, h->hash, digest, dlen, sig, cap, siglen, e);
}

int hal_signer(hal_ctx *be, const hal_key_ref *ref, hal_signer_ctx *hctx, pb_signer *s, pb_err *e)
{
	if (hal_key_public(be, ref, &s->pub, e) != 0)
		return e->code;
	hctx->be = be;
	hctx->ref = ref;
	hctx->hash = pb_alg_hash(s->pub.alg);
	s->hash = hctx->hash;
	s->sign = hal_signer_cb;
	s->ctx = hctx;
	return 0;
}
