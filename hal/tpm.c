/* hal/tpm.c - the tpm: backend: keys that never leave a TPM 2.0.
 *
 * tpm2-tss SAPI over one of three TCTIs, chosen by --tpm:
 *   sim                      in-process libtpms (sim/tpm.h), the default;
 *                            its NV state lives in STATE/tpm/permall
 *   swtpm:host=H,port=P      a swtpm server (127.0.0.1 and 2321 by default)
 *   device:/dev/tpmrm0       the kernel's resource-managed TPM device
 * each optionally followed by ",srk=rsa-2048" (the storage key's type;
 * ec-p256 by default). "sim:srk=rsa-2048" for the simulator.
 *
 * A key is created under a transient storage primary key (the TCG SRK
 * template, re-created from the owner seed every time, as tpm2-tools
 * does), loaded, and made persistent at its handle with EvictControl.
 * Every transient handle is flushed before an operation returns, on
 * every path. Owner authorization (CreatePrimary, EvictControl, NV
 * definition and writes) uses a password session with the owner
 * password, asked once through the auth callback of hal_open_opts
 * (HAL_AUTH_OWNER; empty when none is given); the keys' own authValue
 * is empty.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tss2/tss2_tcti_device.h>
#include <tss2/tss2_tcti_swtpm.h>
#include <unistd.h>

#include "core/base/cli.h"
#include "hal/tpm.h"
#if PB_SIM
#include "sim/tpm.h"
#endif

#define URI_USAGE "expected sim, swtpm:host=H,port=P or device:/dev/tpmrm0 (optionally ,srk=rsa-2048)"

static int uri_option(const char *uri, char *opt, tpm_uri *u, pb_err *e)
{
	char *val = strchr(opt, '=');
	unsigned long long port;

	if (val == NULL) {
		if (u->kind == TPM_DEVICE && opt[0] == '/' && strlen(opt) < sizeof u->path) {
			strcpy(u->path, opt);
			return 0;
		}
		return pb_fail(e, PB_EUSAGE, "--tpm '%s': '%s': %s", uri, opt, URI_USAGE);
	}
	*val++ = '\0';
	if (strcmp(opt, "srk") == 0) {
		if (pb_alg_parse(val, &u->srk, e) != 0 ||
		    (u->srk != PB_ALG_EC_P256 && u->srk != PB_ALG_RSA_2048))
			return pb_fail(e, PB_EUSAGE, "--tpm '%s': srk must be ec-p256 or rsa-2048", uri);
		return 0;
	}
	if (u->kind == TPM_SWTPM && strcmp(opt, "host") == 0 && *val && strlen(val) < sizeof u->host &&
	    strspn(val, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:") == strlen(val)) {
		strcpy(u->host, val);
		return 0;
	}
	if (u->kind == TPM_SWTPM && strcmp(opt, "port") == 0) {
		/* swtpm's control channel is port + 1 */
		if (pb_cli_uint("--tpm port", val, 1, 65534, &port, e) != 0)
			return e->code;
		u->port = (unsigned)port;
		return 0;
	}
	return pb_fail(e, PB_EUSAGE, "--tpm '%s': bad option '%s': %s", uri, opt, URI_USAGE);
}

int tpm_parse_uri(const char *uri, tpm_uri *u, pb_err *e)
{
	char buf[PATH_MAX + 128], *opts, *save = NULL;
	static const struct { const char *name; enum tpm_kind kind; } kinds[] = {
		{"sim", TPM_SIM}, {"swtpm", TPM_SWTPM}, {"device", TPM_DEVICE}
	};
	size_t klen;
	int found = 0;

	memset(u, 0, sizeof *u);
	u->srk = PB_ALG_EC_P256;
	strcpy(u->host, "127.0.0.1");
	u->port = 2321;
	strcpy(u->path, "/dev/tpmrm0");
	if (uri == NULL || *uri == '\0')
		uri = "sim";
	if (strlen(uri) >= sizeof buf)
		return pb_fail(e, PB_EUSAGE, "--tpm: too long");
	strcpy(buf, uri);
	opts = strchr(buf, ':');
	klen = opts ? (size_t)(opts - buf) : strlen(buf);
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (strlen(kinds[i].name) == klen && memcmp(buf, kinds[i].name, klen) == 0) {
			u->kind = kinds[i].kind;
			found = 1;
		}
	if (!found)
		return pb_fail(e, PB_EUSAGE, "--tpm '%s': %s", uri, URI_USAGE);
	if (opts == NULL)
		return 0;
	for (char *o = strtok_r(opts + 1, ",", &save); o; o = strtok_r(NULL, ",", &save))
		if (uri_option(uri, o, u, e) != 0)
			return e->code;
	return 0;
}

/* Size, allocate and initialise a tpm2-tss TCTI with conf. */
static int tcti_init(tpm_ctx *c, TSS2_TCTI_INIT_FUNC init, const char *conf, const char *failed,
	pb_err *e)
{
	size_t size = 0;
	TSS2_RC rc;

	if ((rc = init(NULL, &size, NULL)) != TSS2_RC_SUCCESS)
		return tpm_fail(NULL, e, "tpm backend: TCTI", rc);
	if ((c->tcti = calloc(1, size)) == NULL)
		return pb_fail(e, PB_EFAIL, "tpm backend: out of memory");
	if ((rc = init(c->tcti, &size, conf)) != TSS2_RC_SUCCESS) {
		free(c->tcti);
		c->tcti = NULL;
		tpm_fail(NULL, e, failed, rc);
		return pb_err_prefix(e, "tpm backend: %s", c->where);
	}
	return 0;
}

static int open_swtpm(tpm_ctx *c, const tpm_uri *u, pb_err *e)
{
	char conf[128];

	snprintf(c->where, sizeof c->where, "swtpm %s:%u", u->host, u->port);
	snprintf(conf, sizeof conf, "host=%s,port=%u", u->host, u->port);
	return tcti_init(c, Tss2_Tcti_Swtpm_Init, conf, "cannot connect (is swtpm listening there?)", e);
}

static int open_device(tpm_ctx *c, const tpm_uri *u, pb_err *e)
{
	snprintf(c->where, sizeof c->where, "%.120s", u->path);
	/* the TCTI only says "IO failure": ask the kernel what is wrong */
	if (access(u->path, R_OK | W_OK) != 0)
		return pb_fail(e, PB_EFAIL, "tpm backend: %s: %s", u->path, strerror(errno));
	return tcti_init(c, Tss2_Tcti_Device_Init, u->path, "cannot open", e);
}

static int open_sim(tpm_ctx *c, const char *state_dir, pb_err *e)
{
#if PB_SIM
	snprintf(c->where, sizeof c->where, "simulated TPM");
	if (sim_tpm_open(state_dir, &c->tcti, e) != 0)
		return e->code;
	c->sim = 1;
	return 0;
#else
	(void)c;
	(void)state_dir;
	return pb_fail(e, PB_EFAIL,
		"tpm backend: simulator not in this build (SIM=0); use --tpm device:... or swtpm:...");
#endif
}

static void close_tcti(tpm_ctx *c)
{
	if (c->tcti == NULL || c->borrowed_tcti)
		return;
#if PB_SIM
	if (c->sim) {
		sim_tpm_close(c->tcti);
		c->tcti = NULL;
		return;
	}
#endif
	Tss2_Tcti_Finalize(c->tcti);
	free(c->tcti);
	c->tcti = NULL;
}

static void tpm_close(hal_ctx *be)
{
	tpm_ctx *c = tpm_ctx_of(be);

	if (c->sys) {
		Tss2_Sys_Finalize(c->sys);
		free(c->sys);
	}
	close_tcti(c);
	pthread_mutex_destroy(&c->lock);
	explicit_bzero(c, sizeof *c);
	free(c);
}

int tpm_owner_session(tpm_ctx *c, TSS2L_SYS_AUTH_COMMAND *cmd, pb_err *e)
{
	pb_secret s;
	int given, rc;

	if (!c->owner_asked) {
		rc = hal_auth_get(&c->base.vtable, HAL_AUTH_OWNER, &s, &given, e);
		/* a TPM authValue is at most the size of its name algorithm's digest */
		if (rc == 0 && s.len > sizeof c->owner_auth.buffer)
			rc = pb_fail(e, PB_EUSAGE, "tpm backend: owner password longer than %zu bytes",
				sizeof c->owner_auth.buffer);
		if (rc == 0) {
			memcpy(c->owner_auth.buffer, s.buf, s.len);
			c->owner_auth.size = (UINT16)s.len;
			c->owner_asked = 1;
		}
		pb_secret_wipe(&s);
		if (rc != 0)
			return pb_err_prefix(e, "owner password");
	}
	tpm_pw_session(cmd, &c->owner_auth);
	return 0;
}

static int ref_fail(pb_err *e, const hal_key_ref *ref, int code, const char *why)
{
	return pb_fail(e, code, "tpm:0x%08x: %s", (unsigned)ref->handle, why);
}

/* The public area at a handle; *exists = 0 if nothing is there. */
static int read_public(tpm_ctx *c, TPM2_HANDLE h, TPM2B_PUBLIC *pub, int *exists, pb_err *e)
{
	TPM2B_NAME name = {0}, qname = {0};
	TSS2_RC rc;

	memset(pub, 0, sizeof *pub);
	rc = Tss2_Sys_ReadPublic(c->sys, h, NULL, pub, &name, &qname, NULL);
	*exists = rc == TSS2_RC_SUCCESS;
	if (rc == TSS2_RC_SUCCESS || tpm_rc_base(rc) == TPM2_RC_HANDLE)
		return 0;
	return tpm_fail(c, e, "TPM2_ReadPublic", rc);
}

/* Flush a transient handle (0: none). Keeps the first error. */
static int flush(tpm_ctx *c, TPM2_HANDLE h, int rc, pb_err *e)
{
	TSS2_RC trc;

	if (h == 0)
		return rc;
	trc = Tss2_Sys_FlushContext(c->sys, h);
	if (trc != TSS2_RC_SUCCESS && rc == 0)
		return tpm_fail(c, e, "TPM2_FlushContext", trc);
	return rc;
}

/* What TPM2_Create and TPM2_CreatePrimary take and give beside the key:
 * we ask for no creation data and drop what comes back. */
static const struct creation_in {
	TPM2B_SENSITIVE_CREATE sens;   /* empty authValue, no data */
	TPM2B_DATA outside;
	TPML_PCR_SELECTION pcrs;
} no_input;

typedef struct creation_out {
	TPM2B_CREATION_DATA data;
	TPM2B_DIGEST hash;
	TPMT_TK_CREATION ticket;
	TPM2B_NAME name;
	TSS2L_SYS_AUTH_RESPONSE rsp;
} creation_out;

static int create_primary(tpm_ctx *c, TPM2_HANDLE *srk, pb_err *e)
{
	TSS2L_SYS_AUTH_COMMAND auth;
	TPM2B_PUBLIC tmpl, pub = {0};
	creation_out out = {0};
	TSS2_RC rc;

	if (tpm_srk_template(c->srk_alg, &tmpl, e) != 0)
		return e->code;
	if (tpm_owner_session(c, &auth, e) != 0)
		return e->code;
	rc = Tss2_Sys_CreatePrimary(c->sys, TPM2_RH_OWNER, &auth, &no_input.sens, &tmpl,
		&no_input.outside, &no_input.pcrs, srk, &pub, &out.data, &out.hash, &out.ticket,
		&out.name, &out.rsp);
	if (rc != TSS2_RC_SUCCESS) {
		*srk = 0;
		return tpm_fail(c, e, "TPM2_CreatePrimary", rc);
	}
	return 0;
}

/* Create a key of template tmpl under srk and load it. */
static int create_and_load(tpm_ctx *c, TPM2_HANDLE srk, const TPM2B_PUBLIC *tmpl,
	TPM2_HANDLE *obj, pb_err *e)
{
	TSS2L_SYS_AUTH_COMMAND auth;
	TPM2B_PRIVATE priv = {0};
	TPM2B_PUBLIC pub = {0};
	creation_out out = {0};
	TSS2_RC rc;

	tpm_pw_session(&auth, NULL);
	rc = Tss2_Sys_Create(c->sys, srk, &auth, &no_input.sens, tmpl, &no_input.outside,
		&no_input.pcrs, &priv, &pub, &out.data, &out.hash, &out.ticket, &out.rsp);
	if (rc != TSS2_RC_SUCCESS)
		return tpm_fail(c, e, "TPM2_Create", rc);
	rc = Tss2_Sys_Load(c->sys, srk, &auth, &priv, &pub, obj, &out.name, &out.rsp);
	if (rc != TSS2_RC_SUCCESS) {
		*obj = 0;
		return tpm_fail(c, e, "TPM2_Load", rc);
	}
	return 0;
}

/* Persist obj at handle, or (obj == handle) remove the persistent one. */
static int evict(tpm_ctx *c, TPM2_HANDLE obj, TPM2_HANDLE handle, pb_err *e)
{
	TSS2L_SYS_AUTH_COMMAND auth;
	TSS2L_SYS_AUTH_RESPONSE rsp;
	TSS2_RC rc;

	if (tpm_owner_session(c, &auth, e) != 0)
		return e->code;
	rc = Tss2_Sys_EvictControl(c->sys, TPM2_RH_OWNER, obj, &auth, handle, &rsp);
	return rc == TSS2_RC_SUCCESS ? 0 : tpm_fail(c, e, "TPM2_EvictControl", rc);
}

/* Every operation holds the context's lock: one command at a time on
 * the SAPI context, whichever thread signs. */
static tpm_ctx *lock(hal_ctx *be)
{
	tpm_ctx *c = tpm_ctx_of(be);

	pthread_mutex_lock(&c->lock);
	return c;
}

static int unlock(tpm_ctx *c, int rc)
{
	pthread_mutex_unlock(&c->lock);
	return rc;
}

static int key_create_locked(tpm_ctx *c, const hal_key_ref *ref, const TPM2B_PUBLIC *tmpl,
	const hal_key_spec *spec, pb_err *e)
{
	TPM2B_PUBLIC old;
	TPM2_HANDLE srk = 0, obj = 0;
	int exists = 0, rc;

	rc = read_public(c, ref->handle, &old, &exists, e);
	if (rc == 0 && exists && (spec->policy & HAL_POLICY_WRITE_ONCE))
		rc = ref_fail(e, ref, PB_EFAIL, "a key exists at this handle (write-once: not replaced)");
	else if (rc == 0 && exists && !spec->force)
		rc = ref_fail(e, ref, PB_EFAIL, "a key exists at this handle (use --force to replace it)");
	if (rc == 0)
		rc = create_primary(c, &srk, e);
	if (rc == 0)
		rc = create_and_load(c, srk, tmpl, &obj, e);
	/* the old key goes only once the new one is loaded */
	if (rc == 0 && exists)
		rc = evict(c, ref->handle, ref->handle, e);
	if (rc == 0)
		rc = evict(c, obj, ref->handle, e);
	rc = flush(c, obj, rc, e);
	return flush(c, srk, rc, e);
}

static int tpm_key_create(hal_ctx *be, const hal_key_ref *ref, const hal_key_spec *spec, pb_err *e)
{
	TPM2B_PUBLIC tmpl;

	/* every key here is a persistent signing key; the TPM has no push-only */
	if (spec->usage != HAL_USAGE_SIGN || !spec->persistent ||
	    (spec->policy & ~(unsigned)HAL_POLICY_WRITE_ONCE))
		return pb_fail(e, PB_EUSAGE, "tpm backend: only persistent signing keys (write-once or not)");
	if (tpm_key_template(spec->alg, &tmpl, e) != 0)
		return e->code;
	tpm_ctx *c = lock(be);
	return unlock(c, key_create_locked(c, ref, &tmpl, spec, e));
}

/* The key at ref as a pb_pubkey; *found = 0 if no object is there. */
static int key_find_locked(tpm_ctx *c, const hal_key_ref *ref, pb_pubkey *out, int *found,
	pb_err *e)
{
	TPM2B_PUBLIC pub;

	if (read_public(c, ref->handle, &pub, found, e) != 0)
		return e->code;
	if (!*found)
		return 0;
	if (tpm_public_to_pubkey(&pub.publicArea, out, e) != 0)
		return pb_err_prefix(e, "tpm:0x%08x", (unsigned)ref->handle);
	return 0;
}

/* The same, absent being an error. */
static int key_public_locked(tpm_ctx *c, const hal_key_ref *ref, pb_pubkey *out, pb_err *e)
{
	int found;

	if (key_find_locked(c, ref, out, &found, e) != 0)
		return e->code;
	if (!found)
		return ref_fail(e, ref, PB_EFAIL, "no key at this handle (create one with --create)");
	return 0;
}

static int tpm_key_public(hal_ctx *be, const hal_key_ref *ref, pb_pubkey *out, int *found,
	pb_err *e)
{
	tpm_ctx *c = lock(be);
	return unlock(c, key_find_locked(c, ref, out, found, e));
}

static int sign_locked(tpm_ctx *c, const hal_key_ref *ref, pb_hash h, const uint8_t *digest,
	size_t dlen, uint8_t *sig, size_t cap, size_t *siglen, pb_err *e)
{
	TSS2L_SYS_AUTH_COMMAND auth;
	TSS2L_SYS_AUTH_RESPONSE rsp;
	TPMT_TK_HASHCHECK ticket = {.tag = TPM2_ST_HASHCHECK, .hierarchy = TPM2_RH_NULL};
	TPMT_SIG_SCHEME scheme = {0};
	TPM2B_DIGEST d = {0};
	TPMT_SIGNATURE out = {0};
	pb_pubkey pub;
	TSS2_RC rc;

	if (dlen != pb_hash_len(h) || dlen > sizeof d.buffer)
		return pb_fail(e, PB_EUSAGE, "tpm: digest of %zu bytes does not match its hash", dlen);
	if (key_public_locked(c, ref, &pub, e) != 0)
		return e->code;
	scheme.scheme = pb_alg_is_ec(pub.alg) ? TPM2_ALG_ECDSA : TPM2_ALG_RSASSA;
	scheme.details.any.hashAlg = h == PB_HASH_SHA384 ? TPM2_ALG_SHA384 : TPM2_ALG_SHA256;
	d.size = (UINT16)dlen;
	memcpy(d.buffer, digest, dlen);
	tpm_pw_session(&auth, NULL);
	rc = Tss2_Sys_Sign(c->sys, ref->handle, &auth, &d, &scheme, &ticket, &out, &rsp);
	if (rc != TSS2_RC_SUCCESS)
		return tpm_fail(c, e, "TPM2_Sign", rc);
	return tpm_signature_to_x509(&out, sig, cap, siglen, e);
}

static int tpm_key_sign(hal_ctx *be, const hal_key_ref *ref, pb_hash h, const uint8_t *digest,
	size_t dlen, uint8_t *sig, size_t cap, size_t *siglen, pb_err *e)
{
	tpm_ctx *c = lock(be);
	return unlock(c, sign_locked(c, ref, h, digest, dlen, sig, cap, siglen, e));
}

static int key_destroy_locked(tpm_ctx *c, const hal_key_ref *ref, pb_err *e)
{
	TPM2B_PUBLIC pub;
	int exists;

	if (read_public(c, ref->handle, &pub, &exists, e) != 0)
		return e->code;
	if (!exists)
		return ref_fail(e, ref, PB_EFAIL, "no key at this handle");
	return evict(c, ref->handle, ref->handle, e);
}

static int tpm_key_destroy(hal_ctx *be, const hal_key_ref *ref, pb_err *e)
{
	tpm_ctx *c = lock(be);
	return unlock(c, key_destroy_locked(c, ref, e));
}

static int random_locked(tpm_ctx *c, uint8_t *buf, size_t len, pb_err *e)
{
	TPM2B_DIGEST r;
	TSS2_RC rc = TSS2_RC_SUCCESS;
	size_t got = 0;

	while (got < len && rc == TSS2_RC_SUCCESS) {
		/* a TPM returns at most its largest digest per call */
		UINT16 want = (UINT16)(len - got < 32 ? len - got : 32);
		memset(&r, 0, sizeof r);
		rc = Tss2_Sys_GetRandom(c->sys, NULL, want, &r, NULL);
		if (rc == TSS2_RC_SUCCESS && (r.size == 0 || r.size > want))
			rc = TSS2_SYS_RC_MALFORMED_RESPONSE;
		if (rc == TSS2_RC_SUCCESS) {
			memcpy(buf + got, r.buffer, r.size);
			got += r.size;
		}
	}
	explicit_bzero(&r, sizeof r);
	return rc == TSS2_RC_SUCCESS ? 0 : tpm_fail(c, e, "TPM2_GetRandom", rc);
}

static int tpm_random(hal_ctx *be, uint8_t *buf, size_t len, pb_err *e)
{
	tpm_ctx *c = lock(be);
	return unlock(c, random_locked(c, buf, len, e));
}

static int tpm_nv_read_op(hal_ctx *be, uint32_t index, uint8_t *buf, size_t cap, size_t *len,
	int *defined, pb_err *e)
{
	tpm_ctx *c = lock(be);
	return unlock(c, tpm_nv_read(c, index, buf, cap, len, defined, e));
}

static int tpm_nv_write_once_op(hal_ctx *be, uint32_t index, const uint8_t *data, size_t len,
	pb_err *e)
{
	tpm_ctx *c = lock(be);
	return unlock(c, tpm_nv_write_once(c, index, data, len, e));
}

static int tpm_nv_counter_op(hal_ctx *be, uint32_t index, int increment, uint64_t *value,
	pb_err *e)
{
	tpm_ctx *c = lock(be);
	return unlock(c, tpm_nv_counter(c, index, increment, value, e));
}

static int tpm_lc_read_op(hal_ctx *be, hal_lifecycle *lc, int *present, pb_err *e)
{
	tpm_ctx *c = lock(be);
	return unlock(c, tpm_lc_read(c, lc, present, e));
}

static int tpm_lc_write_op(hal_ctx *be, hal_lifecycle to, pb_err *e)
{
	tpm_ctx *c = lock(be);
	return unlock(c, tpm_lc_write(c, to, e));
}

static int tpm_lc_protection_op(hal_ctx *be, char *buf, size_t cap, pb_err *e)
{
	tpm_ctx *c = lock(be);
	return unlock(c, tpm_lc_protection(c, buf, cap, e));
}

static int transient_count_locked(tpm_ctx *c, uint32_t *n, pb_err *e)
{
	TPMS_CAPABILITY_DATA cap = {0};
	TPMI_YES_NO more = 0;
	TSS2_RC rc;

	/* 0x80000000: tss2's TPM2_TRANSIENT_FIRST shifts into an int's sign bit */
	rc = Tss2_Sys_GetCapability(c->sys, NULL, TPM2_CAP_HANDLES, 0x80000000u,
		TPM2_MAX_CAP_HANDLES, &more, &cap, NULL);
	if (rc != TSS2_RC_SUCCESS)
		return tpm_fail(c, e, "TPM2_GetCapability", rc);
	*n = cap.data.handles.count;
	return 0;
}

int hal_tpm_transient_count(hal_ctx *be, uint32_t *n, pb_err *e)
{
	tpm_ctx *c = lock(be);
	return unlock(c, transient_count_locked(c, n, e));
}

#define LIST_MAX 256   /* persistent handles a TPM holds: a few dozen at most */
/* tss2's TPM2_PERSISTENT_* shift into an int's sign bit */
#define PERSISTENT_FIRST 0x81000000u
#define PERSISTENT_LAST 0x81FFFFFFu

/* The persistent handles from first on (TPM2_GetCapability pages them). */
static int persistent_handles_locked(tpm_ctx *c, TPM2_HANDLE *h, size_t cap, size_t *n, pb_err *e)
{
	TPMS_CAPABILITY_DATA data;
	TPMI_YES_NO more = 1;
	uint32_t next = PERSISTENT_FIRST;
	TSS2_RC rc;

	*n = 0;
	while (more && *n < cap) {
		memset(&data, 0, sizeof data);
		rc = Tss2_Sys_GetCapability(c->sys, NULL, TPM2_CAP_HANDLES, next,
			TPM2_MAX_CAP_HANDLES, &more, &data, NULL);
		if (rc != TSS2_RC_SUCCESS)
			return tpm_fail(c, e, "TPM2_GetCapability", rc);
		if (data.data.handles.count > TPM2_MAX_CAP_HANDLES)
			return tpm_fail(c, e, "TPM2_GetCapability", TSS2_SYS_RC_MALFORMED_RESPONSE);
		for (uint32_t i = 0; i < data.data.handles.count && *n < cap; i++) {
			uint32_t v = data.data.handles.handle[i];
			/* a TPM answers from the first handle at or above next */
			if (v < next || v > PERSISTENT_LAST) {
				more = 0;
				break;
			}
			h[(*n)++] = v;
			next = v + 1;
		}
		if (data.data.handles.count == 0)
			more = 0;
	}
	return 0;
}

/* What key_list says of the object at h; *ours = 0 for what is not a
 * signing key of ours (a persisted storage key, say). */
static int key_info_locked(tpm_ctx *c, TPM2_HANDLE h, hal_key_info *info, int *ours, pb_err *e)
{
	TPM2B_PUBLIC pub;
	pb_pubkey k;
	pb_err ignore;
	TPMA_OBJECT a;
	int exists;

	*ours = 0;
	if (read_public(c, h, &pub, &exists, e) != 0)
		return e->code;
	if (!exists || tpm_public_to_pubkey(&pub.publicArea, &k, &ignore) != 0)
		return 0;
	a = pub.publicArea.objectAttributes;
	memset(info, 0, sizeof *info);
	info->ref.kind = HAL_TPM;
	info->ref.handle = h;
	snprintf(info->ref.name, sizeof info->ref.name, "0x%08x", (unsigned)h);
	info->alg = k.alg;
	info->usage = HAL_USAGE_SIGN;
	info->sensitive = 1;
	info->extractable = !((a & TPMA_OBJECT_FIXEDTPM) && (a & TPMA_OBJECT_FIXEDPARENT));
	info->local = (a & TPMA_OBJECT_SENSITIVEDATAORIGIN) != 0;
	*ours = 1;
	return 0;
}

/* The callback runs without the lock: it may call the backend again. */
static int tpm_key_list(hal_ctx *be, hal_key_list_fn fn, void *ctx, pb_err *e)
{
	TPM2_HANDLE h[LIST_MAX];
	hal_key_info info;
	size_t n;
	int rc, ours;
	tpm_ctx *c = lock(be);

	rc = unlock(c, persistent_handles_locked(c, h, LIST_MAX, &n, e));
	for (size_t i = 0; rc == 0 && i < n; i++) {
		c = lock(be);
		rc = unlock(c, key_info_locked(c, h[i], &info, &ours, e));
		if (rc == 0 && ours)
			rc = fn(ctx, &info, e);
	}
	return rc;
}

/* Signing is serialized on the context's lock: safe, but no faster with
 * threads, so not HAL_CAP_SIGN_THREADSAFE. Lifecycle: own slots (hal/tpm_nv.c),
 * in the NV layout of hal/lifecycle_nv.c but platform-created where the
 * platform hierarchy is open. */
static const hal_backend_class tpm_class = {
	.name = "tpm",
	.caps = HAL_CAP_NON_EXTRACTABLE | HAL_CAP_LIFECYCLE,
	.key_create = tpm_key_create,
	.key_public = tpm_key_public,
	.key_sign = tpm_key_sign,
	.key_destroy = tpm_key_destroy,
	.key_list = tpm_key_list,
	.random = tpm_random,
	.nv_read = tpm_nv_read_op,
	.nv_write_once = tpm_nv_write_once_op,
	.nv_counter = tpm_nv_counter_op,
	.lifecycle_read = tpm_lc_read_op,
	.lifecycle_write = tpm_lc_write_op,
	.lifecycle_protection = tpm_lc_protection_op,
	.close = tpm_close,
};

/* A context around c->tcti (opened by open_*) once it is there. */
static int attach_sys(tpm_ctx *c, int err, hal_ctx **be, pb_err *e)
{
	TSS2_ABI_VERSION abi = TSS2_ABI_VERSION_CURRENT;
	size_t size = Tss2_Sys_GetContextSize(0);
	TSS2_RC rc;

	if (err == 0 && (c->sys = calloc(1, size)) == NULL)
		err = pb_fail(e, PB_EFAIL, "tpm backend: out of memory");
	if (err == 0 && (rc = Tss2_Sys_Initialize(c->sys, size, c->tcti, &abi)) != TSS2_RC_SUCCESS)
		err = tpm_fail(NULL, e, "tpm backend: Tss2_Sys_Initialize", rc);
	if (err != 0) {
		free(c->sys);   /* never initialized: nothing to finalize */
		c->sys = NULL;
		tpm_close(&c->base.vtable);
		*be = NULL;
		return err;
	}
	*be = &c->base.vtable;
	return 0;
}

static tpm_ctx *new_ctx(pb_alg srk, const hal_open_opts *o, pb_err *e)
{
	tpm_ctx *c = calloc(1, sizeof *c);

	if (c == NULL) {
		pb_fail(e, PB_EFAIL, "tpm backend: out of memory");
		return NULL;
	}
	/* tpm2-tss logs to stderr; we report once, through pb_err */
	setenv("TSS2_LOG", "all+none", 0);
	hal_base_init(&c->base, &tpm_class, o);
	c->srk_alg = srk;
	pthread_mutex_init(&c->lock, NULL);
	return c;
}

int hal_tpm_open(const hal_open_opts *o, hal_ctx **be, pb_err *e)
{
	tpm_uri u;
	tpm_ctx *c;
	int err;

	*be = NULL;
	if (tpm_parse_uri(o->tpm_uri, &u, e) != 0 || (c = new_ctx(u.srk, o, e)) == NULL)
		return e->code;
	err = u.kind == TPM_SIM ? open_sim(c, o->state_dir, e) :
	      u.kind == TPM_SWTPM ? open_swtpm(c, &u, e) : open_device(c, &u, e);
	return attach_sys(c, err, be, e);
}

int hal_tpm_open_tcti(TSS2_TCTI_CONTEXT *tcti, const hal_open_opts *o, hal_ctx **be, pb_err *e)
{
	tpm_ctx *c;

	*be = NULL;
	if ((c = new_ctx(PB_ALG_EC_P256, o, e)) == NULL)
		return e->code;
	c->tcti = tcti;
	c->borrowed_tcti = 1;
	snprintf(c->where, sizeof c->where, "caller's TCTI");
	return attach_sys(c, 0, be, e);
}
