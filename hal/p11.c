/* hal/p11.c - PKCS#11 module access for the tee backend; see p11.h. */
#include "hal/p11.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/crypto/crypto.h"

static const struct { CK_RV rv; const char *name; } rv_names[] = {
	{CKR_OK, "CKR_OK"},
	{CKR_HOST_MEMORY, "CKR_HOST_MEMORY"},
	{CKR_SLOT_ID_INVALID, "CKR_SLOT_ID_INVALID"},
	{CKR_GENERAL_ERROR, "CKR_GENERAL_ERROR"},
	{CKR_FUNCTION_FAILED, "CKR_FUNCTION_FAILED"},
	{CKR_ARGUMENTS_BAD, "CKR_ARGUMENTS_BAD"},
	{CKR_ATTRIBUTE_READ_ONLY, "CKR_ATTRIBUTE_READ_ONLY"},
	{CKR_ATTRIBUTE_SENSITIVE, "CKR_ATTRIBUTE_SENSITIVE"},
	{CKR_ATTRIBUTE_TYPE_INVALID, "CKR_ATTRIBUTE_TYPE_INVALID"},
	{CKR_ATTRIBUTE_VALUE_INVALID, "CKR_ATTRIBUTE_VALUE_INVALID"},
	{CKR_DATA_LEN_RANGE, "CKR_DATA_LEN_RANGE"},
	{CKR_DEVICE_ERROR, "CKR_DEVICE_ERROR"},
	{CKR_DEVICE_MEMORY, "CKR_DEVICE_MEMORY"},
	{CKR_FUNCTION_NOT_SUPPORTED, "CKR_FUNCTION_NOT_SUPPORTED"},
	{CKR_KEY_HANDLE_INVALID, "CKR_KEY_HANDLE_INVALID"},
	{CKR_KEY_TYPE_INCONSISTENT, "CKR_KEY_TYPE_INCONSISTENT"},
	{CKR_MECHANISM_INVALID, "CKR_MECHANISM_INVALID"},
	{CKR_OBJECT_HANDLE_INVALID, "CKR_OBJECT_HANDLE_INVALID"},
	{CKR_OPERATION_ACTIVE, "CKR_OPERATION_ACTIVE"},
	{CKR_PIN_INCORRECT, "CKR_PIN_INCORRECT"},
	{CKR_PIN_INVALID, "CKR_PIN_INVALID"},
	{CKR_PIN_LEN_RANGE, "CKR_PIN_LEN_RANGE"},
	{CKR_PIN_EXPIRED, "CKR_PIN_EXPIRED"},
	{CKR_PIN_LOCKED, "CKR_PIN_LOCKED"},
	{CKR_SESSION_HANDLE_INVALID, "CKR_SESSION_HANDLE_INVALID"},
	{CKR_SESSION_READ_ONLY, "CKR_SESSION_READ_ONLY"},
	{CKR_SESSION_EXISTS, "CKR_SESSION_EXISTS"},
	{CKR_SESSION_READ_WRITE_SO_EXISTS, "CKR_SESSION_READ_WRITE_SO_EXISTS"},
	{CKR_TEMPLATE_INCOMPLETE, "CKR_TEMPLATE_INCOMPLETE"},
	{CKR_TEMPLATE_INCONSISTENT, "CKR_TEMPLATE_INCONSISTENT"},
	{CKR_TOKEN_NOT_PRESENT, "CKR_TOKEN_NOT_PRESENT"},
	{CKR_TOKEN_NOT_RECOGNIZED, "CKR_TOKEN_NOT_RECOGNIZED"},
	{CKR_TOKEN_WRITE_PROTECTED, "CKR_TOKEN_WRITE_PROTECTED"},
	{CKR_USER_ALREADY_LOGGED_IN, "CKR_USER_ALREADY_LOGGED_IN"},
	{CKR_USER_NOT_LOGGED_IN, "CKR_USER_NOT_LOGGED_IN"},
	{CKR_USER_PIN_NOT_INITIALIZED, "CKR_USER_PIN_NOT_INITIALIZED"},
	{CKR_USER_TYPE_INVALID, "CKR_USER_TYPE_INVALID"},
	{CKR_USER_ANOTHER_ALREADY_LOGGED_IN, "CKR_USER_ANOTHER_ALREADY_LOGGED_IN"},
	{CKR_BUFFER_TOO_SMALL, "CKR_BUFFER_TOO_SMALL"},
	{CKR_CRYPTOKI_NOT_INITIALIZED, "CKR_CRYPTOKI_NOT_INITIALIZED"},
	{CKR_CRYPTOKI_ALREADY_INITIALIZED, "CKR_CRYPTOKI_ALREADY_INITIALIZED"},
};

const char *p11_rv_name(CK_RV rv, char *buf, size_t cap)
{
	for (size_t i = 0; i < sizeof rv_names / sizeof rv_names[0]; i++)
		if (rv_names[i].rv == rv)
			return rv_names[i].name;
	snprintf(buf, cap, "CKR_0x%08lx", (unsigned long)rv);
	return buf;
}

int p11_fail(pb_err *e, CK_RV rv, const char *call)
{
	char b[32];
	const char *n = p11_rv_name(rv, b, sizeof b);

	switch (rv) {
	case CKR_PIN_INCORRECT:
		return pb_fail(e, PB_EAUTH, "%s: %s: wrong PIN", call, n);
	case CKR_PIN_LOCKED:
		return pb_fail(e, PB_EAUTH, "%s: %s: the PIN is locked after too many wrong tries"
			" (the SO sets a new user PIN with tee init-pin)", call, n);
	case CKR_PIN_LEN_RANGE:
	case CKR_PIN_INVALID:
	case CKR_PIN_EXPIRED:
		return pb_fail(e, PB_EAUTH, "%s: %s", call, n);
	default:
		return pb_fail(e, PB_EFAIL, "%s: %s", call, n);
	}
}

/* ---------------------------------------------------------------- URI */

int p11_uri_parse(const char *text, p11_uri *u, pb_err *e)
{
	const char *p = strchr(text, ',');
	size_t mlen = p ? (size_t)(p - text) : strlen(text);

	memset(u, 0, sizeof *u);
	if (mlen == 0 || text[0] != '/' || mlen >= sizeof u->module)
		return pb_fail(e, PB_EUSAGE,
			"--tee pkcs11: expected pkcs11:/path/module.so[,token=LABEL][,serial=S]");
	memcpy(u->module, text, mlen);
	while (p) {
		const char *item = p + 1, *end = strchr(item, ',');
		size_t ilen = end ? (size_t)(end - item) : strlen(item);
		char *dst = NULL;
		size_t cap = 0, off = 0;

		if (ilen > 6 && strncmp(item, "token=", 6) == 0)
			dst = u->token, cap = sizeof u->token, off = 6;
		else if (ilen > 7 && strncmp(item, "serial=", 7) == 0)
			dst = u->serial, cap = sizeof u->serial, off = 7;
		else if (ilen >= 5 && strncmp(item, "slot=", 5) == 0)
			return pb_fail(e, PB_EUSAGE, "--tee pkcs11: slot numbers change (SoftHSM2 renumbers"
				" its slots after init): name the token by token=LABEL or serial=S");
		else
			return pb_fail(e, PB_EUSAGE, "--tee pkcs11: unknown item '%.*s' (token=LABEL, serial=S)",
				(int)ilen, item);
		if (dst[0])
			return pb_fail(e, PB_EUSAGE, "--tee pkcs11: '%.*s' given twice", (int)off - 1, item);
		if (ilen - off >= cap)
			return pb_fail(e, PB_EUSAGE, "--tee pkcs11: %.*s longer than %zu characters",
				(int)off - 1, item, cap - 1);
		memcpy(dst, item + off, ilen - off);
		p = end;
	}
	return 0;
}

/* ---------------------------------------------------------------- module */

int p11_load(p11 *p, const p11_uri *u, pb_err *e)
{
	CK_C_GetFunctionList get;
	CK_C_INITIALIZE_ARGS args = {.flags = CKF_OS_LOCKING_OK};
	CK_RV rv;

	memset(p, 0, sizeof *p);
	pthread_mutex_init(&p->lock, NULL);
	p->uri = *u;
	p->dl = dlopen(u->module, RTLD_NOW | RTLD_LOCAL);
	if (p->dl == NULL)
		return pb_fail(e, PB_EFAIL, "PKCS#11 module %s: cannot load: %s", u->module, dlerror());
	*(void **)&get = dlsym(p->dl, "C_GetFunctionList");
	if (get == NULL)
		return pb_fail(e, PB_EFAIL, "%s: not a PKCS#11 module (no C_GetFunctionList)", u->module);
	rv = get(&p->f);
	if (rv != CKR_OK || p->f == NULL) {
		p->f = NULL;
		p11_fail(e, rv == CKR_OK ? CKR_GENERAL_ERROR : rv, "C_GetFunctionList");
		return pb_err_prefix(e, "%s", u->module);
	}
	if (p->f->version.major != 2)
		return pb_fail(e, PB_EFAIL, "%s: PKCS#11 version %u.%u (need 2.x)", u->module,
			p->f->version.major, p->f->version.minor);
	rv = p->f->C_Initialize(&args);
	if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED) {
		p11_fail(e, rv, "C_Initialize");
		return pb_err_prefix(e, "%s", u->module);
	}
	p->initialized = rv == CKR_OK;
	return 0;
}

void p11_logout(p11 *p)
{
	if (p->logged_in)
		p->f->C_Logout(p->s);
	p->logged_in = 0;
}

static void close_session(p11 *p)
{
	p11_logout(p);
	if (p->have_session)
		p->f->C_CloseSession(p->s);
	p->have_session = 0;
}

void p11_unload(p11 *p)
{
	if (p->f) {
		close_session(p);
		if (p->initialized)
			p->f->C_Finalize(NULL);
	}
	if (p->dl)
		dlclose(p->dl);
	pthread_mutex_destroy(&p->lock);
	memset(p, 0, sizeof *p);
}

/* Blank-padded fixed field to a C string without the padding. */
static void trim(char *dst, const unsigned char *src, size_t n)
{
	while (n > 0 && (src[n - 1] == ' ' || src[n - 1] == '\0'))
		n--;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

int p11_tokens(p11 *p, p11_token *out, size_t cap, size_t *n, pb_err *e)
{
	CK_SLOT_ID slots[64];
	CK_ULONG count = sizeof slots / sizeof slots[0];
	CK_RV rv = p->f->C_GetSlotList(CK_TRUE, slots, &count);

	if (rv != CKR_OK)
		return p11_fail(e, rv, "C_GetSlotList");
	*n = 0;
	for (CK_ULONG i = 0; i < count; i++) {
		CK_TOKEN_INFO ti;
		p11_token *t;

		rv = p->f->C_GetTokenInfo(slots[i], &ti);
		if (rv != CKR_OK)
			return p11_fail(e, rv, "C_GetTokenInfo");
		if (*n < cap) {
			t = &out[*n];
			t->slot = slots[i];
			trim(t->label, ti.label, sizeof ti.label);
			trim(t->serial, ti.serialNumber, sizeof ti.serialNumber);
			trim(t->manufacturer, ti.manufacturerID, sizeof ti.manufacturerID);
			trim(t->model, ti.model, sizeof ti.model);
			t->flags = ti.flags;
		}
		(*n)++;
	}
	if (*n > cap)
		*n = cap;
	return 0;
}

int p11_uri_names(const p11_uri *u, const p11_token *t)
{
	return (u->token[0] == '\0' || strcmp(u->token, t->label) == 0) &&
	       (u->serial[0] == '\0' || strcmp(u->serial, t->serial) == 0);
}

/* "token0, token1" (initialised tokens only) for messages. */
static void label_list(const p11_token *t, size_t n, char *buf, size_t cap)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && off < cap; i++)
		if (t[i].flags & CKF_TOKEN_INITIALIZED)
			off += (size_t)snprintf(buf + off, cap - off, "%s'%s' (serial %s)",
				off ? ", " : "", t[i].label, t[i].serial);
	if (buf[0] == '\0')
		snprintf(buf, cap, "none initialised (tee init --label L)");
}

int p11_select(p11 *p, pb_err *e)
{
	p11_token t[32];
	size_t n, hit = 0, which = 0;
	char names[512];

	if (p->have_token)
		return 0;
	if (p11_tokens(p, t, 32, &n, e) != 0)
		return e->code;
	for (size_t i = 0; i < n; i++)
		if ((t[i].flags & CKF_TOKEN_INITIALIZED) && p11_uri_names(&p->uri, &t[i]))
			hit++, which = i;
	label_list(t, n, names, sizeof names);
	if (hit == 0 && (p->uri.token[0] || p->uri.serial[0]))
		return pb_fail(e, PB_EFAIL, "%s: no token %s%s%s%s; tokens: %s", p->uri.module,
			p->uri.token[0] ? "labelled " : "", p->uri.token,
			p->uri.serial[0] ? " serial " : "", p->uri.serial, names);
	if (hit == 0)
		return pb_fail(e, PB_EFAIL, "%s: no initialised token; tokens: %s", p->uri.module, names);
	if (hit > 1)
		return pb_fail(e, PB_EFAIL, "%s: %zu tokens match; name one with token=LABEL or serial=S"
			" in --tee; tokens: %s", p->uri.module, hit, names);
	p->tok = t[which];
	p->have_token = 1;
	return 0;
}

static int open_session(p11 *p, pb_err *e)
{
	CK_RV rv;

	if (p->have_session)
		return 0;
	if (p11_select(p, e) != 0)
		return e->code;
	rv = p->f->C_OpenSession(p->tok.slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &p->s);
	if (rv != CKR_OK)
		return p11_fail(e, rv, "C_OpenSession");
	p->have_session = 1;
	return 0;
}

static int login(p11 *p, CK_USER_TYPE who, const pb_secret *pin, pb_err *e)
{
	CK_RV rv;

	if (open_session(p, e) != 0)
		return e->code;
	if (p->logged_in && p->user == who)
		return 0;
	p11_logout(p);
	rv = p->f->C_Login(p->s, who, (CK_UTF8CHAR_PTR)(uintptr_t)pin->buf, pin->len);
	if (rv == CKR_USER_PIN_NOT_INITIALIZED)
		return pb_fail(e, PB_EFAIL, "C_Login: %s: token '%s' has no user PIN yet (tee init-pin)",
			"CKR_USER_PIN_NOT_INITIALIZED", p->tok.label);
	if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN) {
		p11_fail(e, rv, who == CKU_SO ? "C_Login (SO)" : "C_Login");
		return pb_err_prefix(e, "token '%s'", p->tok.label);
	}
	p->logged_in = 1;
	p->user = who;
	return 0;
}

int p11_login(p11 *p, CK_USER_TYPE who, const pb_secret *pin, pb_err *e)
{
	int rc;

	pthread_mutex_lock(&p->lock);
	rc = login(p, who, pin, e);
	pthread_mutex_unlock(&p->lock);
	return rc;
}

/* ---------------------------------------------------------------- mechanisms */

static const char *mech_name(CK_MECHANISM_TYPE m)
{
	switch (m) {
	case CKM_EC_KEY_PAIR_GEN: return "CKM_EC_KEY_PAIR_GEN";
	case CKM_ECDSA: return "CKM_ECDSA";
	case CKM_RSA_PKCS_KEY_PAIR_GEN: return "CKM_RSA_PKCS_KEY_PAIR_GEN";
	case CKM_RSA_PKCS: return "CKM_RSA_PKCS";
	default: return "mechanism";
	}
}

int p11_check_mechs(p11 *p, pb_alg alg, pb_err *e)
{
	CK_MECHANISM_TYPE need[2], have[512];
	CK_ULONG n = sizeof have / sizeof have[0];
	CK_RV rv;

	if (pb_alg_is_ec(alg))
		need[0] = CKM_EC_KEY_PAIR_GEN, need[1] = CKM_ECDSA;
	else
		need[0] = CKM_RSA_PKCS_KEY_PAIR_GEN, need[1] = CKM_RSA_PKCS;
	if (p11_select(p, e) != 0)
		return e->code;
	rv = p->f->C_GetMechanismList(p->tok.slot, have, &n);
	if (rv != CKR_OK)
		return p11_fail(e, rv, "C_GetMechanismList");
	for (int k = 0; k < 2; k++) {
		CK_ULONG i = 0;
		while (i < n && have[i] != need[k])
			i++;
		if (i == n)
			return pb_fail(e, PB_EFAIL, "token '%s' lacks %s (needed for %s keys)",
				p->tok.label, mech_name(need[k]), pb_alg_name(alg));
	}
	return 0;
}

/* ---------------------------------------------------------------- objects */

static int find(p11 *p, CK_OBJECT_CLASS cls, int any_class, const char *label,
	CK_OBJECT_HANDLE *out, CK_ULONG cap, CK_ULONG *n, pb_err *e)
{
	CK_ATTRIBUTE t[2];
	CK_ULONG nt = 0;
	CK_RV rv;

	if (!any_class)
		t[nt++] = (CK_ATTRIBUTE){CKA_CLASS, &cls, sizeof cls};
	if (label)
		t[nt++] = (CK_ATTRIBUTE){CKA_LABEL, (void *)(uintptr_t)label, strlen(label)};
	if (open_session(p, e) != 0)
		return e->code;
	rv = p->f->C_FindObjectsInit(p->s, t, nt);
	if (rv != CKR_OK)
		return p11_fail(e, rv, "C_FindObjectsInit");
	rv = p->f->C_FindObjects(p->s, out, cap, n);
	p->f->C_FindObjectsFinal(p->s);
	return rv == CKR_OK ? 0 : p11_fail(e, rv, "C_FindObjects");
}

static int find_one(p11 *p, CK_OBJECT_CLASS cls, const char *label, CK_OBJECT_HANDLE *h,
	int *found, pb_err *e)
{
	CK_OBJECT_HANDLE hs[2];
	CK_ULONG n;

	if (find(p, cls, 0, label, hs, 2, &n, e) != 0)
		return e->code;
	if (n > 1)
		return pb_fail(e, PB_EFAIL, "token '%s': several %s keys labelled '%s'", p->tok.label,
			cls == CKO_PRIVATE_KEY ? "private" : "public", label);
	*found = n == 1;
	*h = n ? hs[0] : CK_INVALID_HANDLE;
	return 0;
}

static int destroy_label(p11 *p, const char *label, int *found, pb_err *e)
{
	CK_OBJECT_HANDLE hs[16];
	CK_ULONG n;
	CK_RV rv;

	*found = 0;
	do {
		if (find(p, 0, 1, label, hs, 16, &n, e) != 0)
			return e->code;
		for (CK_ULONG i = 0; i < n; i++) {
			rv = p->f->C_DestroyObject(p->s, hs[i]);
			if (rv != CKR_OK)
				return p11_fail(e, rv, "C_DestroyObject");
			*found = 1;
		}
	} while (n == 16);
	return 0;
}

int p11_destroy(p11 *p, const char *label, int *found, pb_err *e)
{
	int rc;

	pthread_mutex_lock(&p->lock);
	rc = destroy_label(p, label, found, e);
	pthread_mutex_unlock(&p->lock);
	return rc;
}

static const uint8_t oid_p256[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
static const uint8_t oid_p384[] = {0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22};

static int keygen(p11 *p, const char *label, pb_alg alg, int force, pb_err *e)
{
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_ULONG bits = 2048;
	CK_BYTE exp[] = {0x01, 0x00, 0x01}, id[16];
	CK_MECHANISM mech = {pb_alg_is_ec(alg) ? CKM_EC_KEY_PAIR_GEN : CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0};
	CK_ULONG llen = strlen(label);
	/* signing keys only: no encrypt/decrypt/wrap usages the module would default to */
	CK_ATTRIBUTE pub[10] = {
		{CKA_TOKEN, &yes, sizeof yes}, {CKA_PRIVATE, &no, sizeof no},
		{CKA_VERIFY, &yes, sizeof yes}, {CKA_ENCRYPT, &no, sizeof no}, {CKA_WRAP, &no, sizeof no},
		{CKA_LABEL, (void *)(uintptr_t)label, llen}, {CKA_ID, id, sizeof id},
	};
	CK_ATTRIBUTE priv[] = {
		{CKA_TOKEN, &yes, sizeof yes}, {CKA_PRIVATE, &yes, sizeof yes},
		{CKA_SENSITIVE, &yes, sizeof yes}, {CKA_EXTRACTABLE, &no, sizeof no},
		{CKA_SIGN, &yes, sizeof yes}, {CKA_DECRYPT, &no, sizeof no}, {CKA_UNWRAP, &no, sizeof no},
		{CKA_DERIVE, &no, sizeof no}, {CKA_LABEL, (void *)(uintptr_t)label, llen},
		{CKA_ID, id, sizeof id},
	};
	CK_ULONG npub = 7;
	CK_OBJECT_HANDLE hpub, hpriv;
	int found;
	CK_RV rv;

	if (alg == PB_ALG_EC_P256) {
		pub[npub++] = (CK_ATTRIBUTE){CKA_EC_PARAMS, (void *)(uintptr_t)oid_p256, sizeof oid_p256};
	} else if (alg == PB_ALG_RSA_2048) {
		pub[npub++] = (CK_ATTRIBUTE){CKA_MODULUS_BITS, &bits, sizeof bits};
		pub[npub++] = (CK_ATTRIBUTE){CKA_PUBLIC_EXPONENT, exp, sizeof exp};
	} else {
		return pb_fail(e, PB_EUSAGE, "tee: %s keys not supported (ec-p256, rsa-2048)", pb_alg_name(alg));
	}
	if (p11_check_mechs(p, alg, e) != 0 || find_one(p, CKO_PRIVATE_KEY, label, &hpriv, &found, e) != 0)
		return e->code;
	if (found && !force)
		return pb_fail(e, PB_EFAIL, "key tee:%s exists in token '%s' (use --force to replace it)",
			label, p->tok.label);
	if (destroy_label(p, label, &found, e) != 0 || pb_random(id, sizeof id, e) != 0)
		return e->code;
	rv = p->f->C_GenerateKeyPair(p->s, &mech, pub, npub, priv, sizeof priv / sizeof priv[0],
		&hpub, &hpriv);
	return rv == CKR_OK ? 0 : p11_fail(e, rv, "C_GenerateKeyPair");
}

int p11_keygen(p11 *p, const char *label, pb_alg alg, int force, pb_err *e)
{
	int rc;

	pthread_mutex_lock(&p->lock);
	rc = keygen(p, label, alg, force, e);
	pthread_mutex_unlock(&p->lock);
	return rc;
}

/* Read one attribute of unknown length into buf (cap bytes). */
static int attr(p11 *p, CK_OBJECT_HANDLE h, CK_ATTRIBUTE_TYPE type, void *buf, CK_ULONG cap,
	CK_ULONG *len, pb_err *e)
{
	CK_ATTRIBUTE a = {type, NULL, 0};
	CK_RV rv = p->f->C_GetAttributeValue(p->s, h, &a, 1);

	if (rv != CKR_OK)
		return p11_fail(e, rv, "C_GetAttributeValue");
	if (a.ulValueLen == (CK_ULONG)-1 || a.ulValueLen > cap)
		return pb_fail(e, PB_EFAIL, "C_GetAttributeValue: attribute 0x%lx too large",
			(unsigned long)type);
	a.pValue = buf;
	rv = p->f->C_GetAttributeValue(p->s, h, &a, 1);
	if (rv != CKR_OK)
		return p11_fail(e, rv, "C_GetAttributeValue");
	*len = a.ulValueLen;
	return 0;
}

static int bool_attr(p11 *p, CK_OBJECT_HANDLE h, CK_ATTRIBUTE_TYPE type)
{
	CK_BBOOL v = CK_FALSE;
	CK_ATTRIBUTE a = {type, &v, sizeof v};

	return p->f->C_GetAttributeValue(p->s, h, &a, 1) == CKR_OK && v == CK_TRUE;
}

static void strip_zeros(const uint8_t *in, CK_ULONG len, uint8_t *out, size_t *olen)
{
	while (len > 1 && in[0] == 0)
		in++, len--;
	memcpy(out, in, len);
	*olen = len;
}

/* The public key held by object h (a public key object, or an RSA private key). */
static int read_pub(p11 *p, CK_OBJECT_HANDLE h, CK_KEY_TYPE type, pb_pubkey *out, pb_err *e)
{
	uint8_t buf[PB_RSA_MAX + 8];
	CK_ULONG len;

	memset(out, 0, sizeof *out);
	if (type == CKK_EC) {
		if (attr(p, h, CKA_EC_PARAMS, buf, sizeof buf, &len, e) != 0)
			return e->code;
		if (len == sizeof oid_p256 && memcmp(buf, oid_p256, len) == 0)
			out->alg = PB_ALG_EC_P256;
		else if (len == sizeof oid_p384 && memcmp(buf, oid_p384, len) == 0)
			out->alg = PB_ALG_EC_P384;
		else
			return pb_fail(e, PB_EFAIL, "EC key on a curve provbox does not use");
		if (attr(p, h, CKA_EC_POINT, buf, sizeof buf, &len, e) != 0)
			return e->code;
		/* DER OCTET STRING around the point (v2.40); some modules give it bare */
		size_t want = out->alg == PB_ALG_EC_P256 ? 65 : 97;
		const uint8_t *q = buf;
		if (len == want + 2 && buf[0] == 0x04 && buf[1] == want)
			q += 2, len -= 2;
		if (len != want || q[0] != 0x04)
			return pb_fail(e, PB_EFAIL, "CKA_EC_POINT: not an uncompressed point");
		memcpy(out->q, q, len);
		out->qlen = len;
		return 0;
	}
	if (type != CKK_RSA)
		return pb_fail(e, PB_EFAIL, "key type 0x%lx is neither EC nor RSA", (unsigned long)type);
	if (attr(p, h, CKA_MODULUS, buf, sizeof buf, &len, e) != 0)
		return e->code;
	strip_zeros(buf, len, out->n, &out->nlen);
	if (attr(p, h, CKA_PUBLIC_EXPONENT, buf, sizeof out->e, &len, e) != 0)
		return e->code;
	strip_zeros(buf, len, out->e, &out->elen);
	out->alg = out->nlen == 256 ? PB_ALG_RSA_2048 : out->nlen == 384 ? PB_ALG_RSA_3072 :
	           out->nlen == 512 ? PB_ALG_RSA_4096 : PB_ALG_NONE;
	if (out->alg == PB_ALG_NONE)
		return pb_fail(e, PB_EFAIL, "RSA key of %zu bits: provbox uses 2048, 3072 or 4096",
			out->nlen * 8);
	return 0;
}

static int key_type(p11 *p, CK_OBJECT_HANDLE h, CK_KEY_TYPE *t, pb_err *e)
{
	CK_ATTRIBUTE a = {CKA_KEY_TYPE, t, sizeof *t};
	CK_RV rv = p->f->C_GetAttributeValue(p->s, h, &a, 1);

	return rv == CKR_OK ? 0 : p11_fail(e, rv, "C_GetAttributeValue(CKA_KEY_TYPE)");
}

static int pubkey(p11 *p, const char *label, pb_pubkey *out, int *found, pb_err *e)
{
	CK_OBJECT_HANDLE priv, pub;
	CK_KEY_TYPE t;
	int have_pub;

	if (find_one(p, CKO_PRIVATE_KEY, label, &priv, found, e) != 0)
		return e->code;
	/* without the user logged in the private key is hidden: its public
	 * half alone still names the key */
	if (find_one(p, CKO_PUBLIC_KEY, label, &pub, &have_pub, e) != 0)
		return e->code;
	if (!*found && !(have_pub && !p->logged_in))
		return 0;
	*found = 1;
	if (have_pub)
		return key_type(p, pub, &t, e) == 0 ? read_pub(p, pub, t, out, e) : e->code;
	if (key_type(p, priv, &t, e) != 0)
		return e->code;
	if (t != CKK_RSA)
		return pb_fail(e, PB_EFAIL, "key tee:%s: no public key object beside the private key", label);
	return read_pub(p, priv, t, out, e);
}

int p11_pubkey(p11 *p, const char *label, pb_pubkey *out, int *found, pb_err *e)
{
	int rc;

	pthread_mutex_lock(&p->lock);
	rc = pubkey(p, label, out, found, e);
	pthread_mutex_unlock(&p->lock);
	return rc;
}

static int sign(p11 *p, const char *label, CK_MECHANISM_TYPE m, const uint8_t *in, size_t inlen,
	uint8_t *sig, size_t cap, size_t *siglen, pb_err *e)
{
	CK_MECHANISM mech = {m, NULL, 0};
	CK_OBJECT_HANDLE h;
	CK_ULONG len = cap;
	int found;
	CK_RV rv;

	if (find_one(p, CKO_PRIVATE_KEY, label, &h, &found, e) != 0)
		return e->code;
	if (!found)
		return pb_fail(e, PB_EFAIL, "key tee:%s: not found in token '%s'", label, p->tok.label);
	rv = p->f->C_SignInit(p->s, &mech, h);
	if (rv != CKR_OK)
		return p11_fail(e, rv, "C_SignInit");
	rv = p->f->C_Sign(p->s, (CK_BYTE_PTR)(uintptr_t)in, inlen, sig, &len);
	if (rv != CKR_OK)
		return p11_fail(e, rv, "C_Sign");
	*siglen = len;
	return 0;
}

int p11_sign(p11 *p, const char *label, CK_MECHANISM_TYPE mech, const uint8_t *in, size_t inlen,
	uint8_t *sig, size_t cap, size_t *siglen, pb_err *e)
{
	int rc;

	pthread_mutex_lock(&p->lock);
	rc = sign(p, label, mech, in, inlen, sig, cap, siglen, e);
	pthread_mutex_unlock(&p->lock);
	return rc;
}

static int list(p11 *p, p11_list_fn fn, void *ctx, pb_err *e)
{
	CK_OBJECT_HANDLE hs[256];
	CK_ULONG n;

	if (find(p, CKO_PRIVATE_KEY, 0, NULL, hs, 256, &n, e) != 0)
		return e->code;
	for (CK_ULONG i = 0; i < n; i++) {
		p11_keyinfo k;
		CK_ULONG len;
		pb_pubkey pub;
		int found;

		memset(&k, 0, sizeof k);
		if (attr(p, hs[i], CKA_LABEL, k.label, sizeof k.label - 1, &len, e) != 0 ||
		    key_type(p, hs[i], &k.type, e) != 0)
			return e->code;
		k.label[len] = '\0';
		k.sensitive = bool_attr(p, hs[i], CKA_SENSITIVE);
		k.extractable = bool_attr(p, hs[i], CKA_EXTRACTABLE);
		k.local = bool_attr(p, hs[i], CKA_LOCAL);
		k.always_sensitive = bool_attr(p, hs[i], CKA_ALWAYS_SENSITIVE);
		k.never_extractable = bool_attr(p, hs[i], CKA_NEVER_EXTRACTABLE);
		if (pubkey(p, k.label, &pub, &found, e) == 0 && found)
			k.alg = pub.alg;
		if (fn(ctx, &k, e) != 0)
			return e->code;
	}
	return 0;
}

int p11_list(p11 *p, p11_list_fn fn, void *ctx, pb_err *e)
{
	int rc;

	pthread_mutex_lock(&p->lock);
	rc = list(p, fn, ctx, e);
	pthread_mutex_unlock(&p->lock);
	return rc;
}

int p11_random(p11 *p, uint8_t *buf, size_t len, pb_err *e)
{
	CK_RV rv;
	int rc = 0;

	pthread_mutex_lock(&p->lock);
	if (open_session(p, e) != 0)
		rc = e->code;
	else if ((rv = p->f->C_GenerateRandom(p->s, buf, len)) != CKR_OK)
		rc = p11_fail(e, rv, "C_GenerateRandom");
	pthread_mutex_unlock(&p->lock);
	return rc;
}

/* ---------------------------------------------------------------- administration */

static void pad_label(const char *label, CK_UTF8CHAR out[32])
{
	size_t n = strlen(label);

	memset(out, ' ', 32);
	memcpy(out, label, n < 32 ? n : 32);
}

/* Log in as SO to a chosen token to prove the PIN, then log out. */
static int so_check(p11 *p, const pb_secret *so_pin, pb_err *e)
{
	if (p11_login(p, CKU_SO, so_pin, e) != 0)
		return e->code;
	close_session(p);
	return 0;
}

static int init_token(p11 *p, const p11_token *t, const char *label, const pb_secret *so_pin,
	pb_err *e)
{
	CK_UTF8CHAR lab[32];
	CK_RV rv;

	close_session(p);
	pad_label(label, lab);
	rv = p->f->C_InitToken(t->slot, (CK_UTF8CHAR_PTR)(uintptr_t)so_pin->buf, so_pin->len, lab);
	if (rv != CKR_OK) {
		p11_fail(e, rv, "C_InitToken");
		return pb_err_prefix(e, "token in slot %lu", (unsigned long)t->slot);
	}
	/* slots may be renumbered: find it again by label */
	p->have_token = 0;
	snprintf(p->uri.token, sizeof p->uri.token, "%s", label);
	p->uri.serial[0] = '\0';
	return p11_select(p, e);
}

int p11_init_token(p11 *p, const char *label, const pb_secret *so_pin, int force, int *changed,
	pb_err *e)
{
	p11_token t[32];
	size_t n, i, named = p->uri.token[0] || p->uri.serial[0];

	*changed = 0;
	if (strlen(label) > P11_LABEL_MAX || label[0] == '\0')
		return pb_fail(e, PB_EUSAGE, "token label must be 1 to %d characters", P11_LABEL_MAX);
	if (p11_tokens(p, t, 32, &n, e) != 0)
		return e->code;
	for (i = 0; i < n; i++) {
		if (named ? p11_uri_names(&p->uri, &t[i]) :
		    (t[i].flags & CKF_TOKEN_INITIALIZED) && strcmp(t[i].label, label) == 0)
			break;
	}
	if (i == n && named && !p->uri.serial[0] && strcmp(p->uri.token, label) == 0)
		named = 0;    /* token=L with --label L: a first init of L */
	if (i == n && named)
		return pb_fail(e, PB_EFAIL, "%s: no token labelled '%s'%s%s", p->uri.module, p->uri.token,
			p->uri.serial[0] ? " serial " : "", p->uri.serial);
	if (i == n) {
		for (i = 0; i < n && (t[i].flags & CKF_TOKEN_INITIALIZED); i++)
			;
		if (i == n)
			return pb_fail(e, PB_EFAIL, "%s: every token is initialised and none is labelled '%s'",
				p->uri.module, label);
	}
	if (t[i].flags & CKF_TOKEN_INITIALIZED) {
		p->tok = t[i];
		p->have_token = 1;
		if (strcmp(t[i].label, label) == 0 && !force)
			return so_check(p, so_pin, e);    /* a re-run: nothing to do */
		if (!force)
			return pb_fail(e, PB_EFAIL, "token '%s' (serial %s) is initialised already"
				" (--force re-initialises it, destroying its keys)", t[i].label, t[i].serial);
	}
	if (init_token(p, &t[i], label, so_pin, e) != 0)
		return e->code;
	*changed = 1;
	return 0;
}

int p11_init_pin(p11 *p, const pb_secret *so_pin, const pb_secret *user_pin, pb_err *e)
{
	CK_RV rv;

	if (p11_login(p, CKU_SO, so_pin, e) != 0)
		return e->code;
	rv = p->f->C_InitPIN(p->s, (CK_UTF8CHAR_PTR)(uintptr_t)user_pin->buf, user_pin->len);
	close_session(p);
	return rv == CKR_OK ? 0 : p11_fail(e, rv, "C_InitPIN");
}

int p11_reset(p11 *p, const pb_secret *so_pin, pb_err *e)
{
	p11_token t;

	if (p11_select(p, e) != 0)
		return e->code;
	t = p->tok;
	return init_token(p, &t, t.label, so_pin, e);
}
