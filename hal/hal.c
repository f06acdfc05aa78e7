/* hal/hal.c - key references, backend dispatch, checked calls; see hal.h. */
#include "hal/hal.h"

#include <stdio.h>
#include <string.h>

#include "core/base/cli.h"

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

int hal_open(hal_kind kind, const char *uri, const char *state_dir, hal_ctx **be, pb_err *e)
{
	*be = NULL;
	switch (kind) {
	case HAL_FILE:
		return hal_file_open(uri, state_dir, be, e);
	case HAL_TPM:
		return hal_tpm_open(uri, state_dir, be, e);
	default:
		return open_missing(kind, e);
	}
}

void hal_close(hal_ctx *be)
{
	if (be && *be && (*be)->close)
		(*be)->close(be);
}

#define UNSUPPORTED(op) pb_fail(e, PB_EFAIL, "%s backend: %s not supported", (*be)->name, op)

int hal_key_create(hal_ctx *be, const hal_key_ref *ref, pb_alg alg, int force, pb_err *e)
{
	return (*be)->key_create ? (*be)->key_create(be, ref, alg, force, e) : UNSUPPORTED("key creation");
}

int hal_key_public(hal_ctx *be, const hal_key_ref *ref, pb_pubkey *out, pb_err *e)
{
	return (*be)->key_public ? (*be)->key_public(be, ref, out, e) : UNSUPPORTED("public key");
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

int hal_lifecycle_get(hal_ctx *be, hal_lifecycle *lc, pb_err *e)
{
	return (*be)->lifecycle_get ? (*be)->lifecycle_get(be, lc, e) : UNSUPPORTED("lifecycle");
}

int hal_lifecycle_advance(hal_ctx *be, hal_lifecycle to, pb_err *e)
{
	return (*be)->lifecycle_advance ? (*be)->lifecycle_advance(be, to, e) : UNSUPPORTED("lifecycle");
}

int hal_set_auth(hal_ctx *be, hal_auth which, const uint8_t *val, size_t len, pb_err *e)
{
	if ((*be)->set_auth == NULL)
		return UNSUPPORTED("authorization values");
	return (*be)->set_auth(be, which, val, len, e);
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

int hal_open_for_key(const hal_key_ref *ref, const char *tpm_uri, const char *tee_uri,
	const char *kmu_uri, const char *state_dir, hal_ctx **be, pb_err *e)
{
	const char *uri = ref->kind == HAL_TPM ? tpm_uri : ref->kind == HAL_TEE ? tee_uri :
	                  ref->kind == HAL_KMU ? kmu_uri : NULL;

	return hal_open(ref->kind, uri, state_dir, be, e);
}
