/* hal/tpm_nv.c - the HAL's protected NV storage in TPM NV indices.
 *
 * Index numbers: a TPM NV handle is used as is (0x01000000..0x01FFFFFF);
 * a small number i (< 0x400000) means TPM_NV_OWNER_BASE + i, in the
 * owner's range of the TCG handle registry.
 *
 * Write-once: an ordinary index with TPMA_NV_WRITEDEFINE, written and then
 * NV_WriteLock'ed; from then on the TPM itself refuses every write
 * (TPM_RC_NV_LOCKED), across resets, until the owner deletes the index,
 * which loses its content too. A write counts as done only once locked,
 * so an interrupted one is completed by the next attempt.
 *
 * Counter: a TPM_NT_COUNTER index, which only NV_Increment changes and
 * only upwards. On its first increment a TPM starts it at the highest
 * value any counter ever had, so values are monotonic, not consecutive
 * from 1.
 *
 * Both are written with owner authorization and read with the index's
 * own empty authValue (TPMA_NV_AUTHREAD): reading needs no password.
 */
#include <stdio.h>
#include <string.h>

#include "hal/tpm.h"

#define NV_CHUNK 512             /* every TPM moves this much per command */
#define NV_WRITE_ONCE_MAX 1024

#define NV_COMMON_ATTRS (TPMA_NV_OWNERWRITE | TPMA_NV_OWNERREAD | TPMA_NV_AUTHREAD | TPMA_NV_NO_DA)

static int nv_handle(uint32_t index, TPMI_RH_NV_INDEX *h, pb_err *e)
{
	if (index >= TPM2_NV_INDEX_FIRST && index <= 0x01FFFFFFu)
		*h = index;
	else if (index < 0x00400000u)
		*h = TPM_NV_OWNER_BASE + index;
	else
		return pb_fail(e, PB_EUSAGE, "NV index 0x%x: not a TPM NV handle nor an owner-range offset",
			(unsigned)index);
	return 0;
}

static unsigned nv_type(const TPMS_NV_PUBLIC *p)
{
	return (p->attributes & TPMA_NV_TPM2_NT_MASK) >> TPMA_NV_TPM2_NT_SHIFT;
}

/* The public area of an index; *exists = 0 if it is not defined. */
static int nv_public(tpm_ctx *c, TPMI_RH_NV_INDEX h, TPMS_NV_PUBLIC *p, int *exists, pb_err *e)
{
	TPM2B_NV_PUBLIC pub = {0};
	TPM2B_NAME name = {0};
	TSS2_RC rc;

	rc = Tss2_Sys_NV_ReadPublic(c->sys, h, NULL, &pub, &name, NULL);
	*exists = rc == TSS2_RC_SUCCESS;
	*p = pub.nvPublic;
	if (rc == TSS2_RC_SUCCESS || tpm_rc_base(rc) == TPM2_RC_HANDLE)
		return 0;
	return tpm_fail(c, e, "TPM2_NV_ReadPublic", rc);
}

static int nv_define(tpm_ctx *c, TPMI_RH_NV_INDEX h, TPMA_NV attrs, uint16_t size, pb_err *e)
{
	TSS2L_SYS_AUTH_COMMAND auth;
	TSS2L_SYS_AUTH_RESPONSE rsp;
	TPM2B_AUTH index_auth = {0};
	TPM2B_NV_PUBLIC pub = {0};
	TSS2_RC rc;

	pub.nvPublic.nvIndex = h;
	pub.nvPublic.nameAlg = TPM2_ALG_SHA256;
	pub.nvPublic.attributes = attrs;
	pub.nvPublic.dataSize = size;
	if (tpm_owner_session(c, &auth, e) != 0)
		return e->code;
	rc = Tss2_Sys_NV_DefineSpace(c->sys, TPM2_RH_OWNER, &auth, &index_auth, &pub, &rsp);
	return rc == TSS2_RC_SUCCESS ? 0 : tpm_fail(c, e, "TPM2_NV_DefineSpace", rc);
}

static int nv_read_data(tpm_ctx *c, TPMI_RH_NV_INDEX h, const TPMS_NV_PUBLIC *p, uint8_t *buf,
	size_t len, pb_err *e)
{
	TSS2L_SYS_AUTH_COMMAND auth;
	TSS2L_SYS_AUTH_RESPONSE rsp;
	TPM2B_MAX_NV_BUFFER data;
	TPMI_RH_NV_AUTH by = h;
	TSS2_RC rc;

	if (p->attributes & TPMA_NV_AUTHREAD) {
		tpm_pw_session(&auth, NULL);
	} else if (p->attributes & TPMA_NV_OWNERREAD) {
		by = TPM2_RH_OWNER;
		if (tpm_owner_session(c, &auth, e) != 0)
			return e->code;
	} else {
		return pb_fail(e, PB_EFAIL, "NV index 0x%08x: readable only with a policy", (unsigned)h);
	}
	for (size_t off = 0; off < len; off += data.size) {
		size_t n = len - off < NV_CHUNK ? len - off : NV_CHUNK;
		memset(&data, 0, sizeof data);
		rc = Tss2_Sys_NV_Read(c->sys, by, h, &auth, (UINT16)n, (UINT16)off, &data, &rsp);
		if (rc == TSS2_RC_SUCCESS && data.size != n)
			rc = TSS2_SYS_RC_MALFORMED_RESPONSE;
		if (rc != TSS2_RC_SUCCESS)
			return tpm_fail(c, e, "TPM2_NV_Read", rc);
		memcpy(buf + off, data.buffer, n);
	}
	return 0;
}

static int nv_write_data(tpm_ctx *c, TPMI_RH_NV_INDEX h, const uint8_t *buf, size_t len, pb_err *e)
{
	TSS2L_SYS_AUTH_COMMAND auth;
	TSS2L_SYS_AUTH_RESPONSE rsp;
	TPM2B_MAX_NV_BUFFER data;
	TSS2_RC rc;

	if (tpm_owner_session(c, &auth, e) != 0)
		return e->code;
	for (size_t off = 0; off < len; off += data.size) {
		data.size = (UINT16)(len - off < NV_CHUNK ? len - off : NV_CHUNK);
		memcpy(data.buffer, buf + off, data.size);
		rc = Tss2_Sys_NV_Write(c->sys, TPM2_RH_OWNER, h, &auth, &data, (UINT16)off, &rsp);
		if (rc != TSS2_RC_SUCCESS)
			return tpm_fail(c, e, "TPM2_NV_Write", rc);
	}
	return 0;
}

/* Has a write-once index (or another ordinary one) been written? */
static int nv_is_written(const TPMS_NV_PUBLIC *p)
{
	if (nv_type(p) == TPM2_NT_ORDINARY && (p->attributes & TPMA_NV_WRITEDEFINE))
		return (p->attributes & TPMA_NV_WRITELOCKED) != 0;
	return (p->attributes & TPMA_NV_WRITTEN) != 0;
}

int tpm_nv_read(tpm_ctx *c, uint32_t index, uint8_t *buf, size_t cap, size_t *len,
	int *defined, pb_err *e)
{
	TPMI_RH_NV_INDEX h = 0;
	TPMS_NV_PUBLIC p;
	int exists;

	*len = 0;
	*defined = 0;
	if (nv_handle(index, &h, e) != 0 || nv_public(c, h, &p, &exists, e) != 0)
		return e->code;
	if (!exists || !nv_is_written(&p))
		return 0;
	if (p.dataSize > cap)
		return pb_fail(e, PB_EFAIL, "NV index 0x%08x: %u bytes, more than the %zu expected",
			(unsigned)h, (unsigned)p.dataSize, cap);
	if (nv_read_data(c, h, &p, buf, p.dataSize, e) != 0)
		return e->code;
	*len = p.dataSize;
	*defined = 1;
	return 0;
}

int tpm_nv_write_once(tpm_ctx *c, uint32_t index, const uint8_t *data, size_t len, pb_err *e)
{
	TSS2L_SYS_AUTH_COMMAND auth;
	TSS2L_SYS_AUTH_RESPONSE rsp;
	TPMI_RH_NV_INDEX h = 0;
	TPMS_NV_PUBLIC p;
	TSS2_RC rc;
	int exists;

	if (len == 0 || len > NV_WRITE_ONCE_MAX)
		return pb_fail(e, PB_EUSAGE, "NV write-once: %zu bytes (1..%d)", len, NV_WRITE_ONCE_MAX);
	if (nv_handle(index, &h, e) != 0 || nv_public(c, h, &p, &exists, e) != 0)
		return e->code;
	if (exists && (nv_type(&p) != TPM2_NT_ORDINARY || !(p.attributes & TPMA_NV_WRITEDEFINE)))
		return pb_fail(e, PB_EFAIL, "NV index 0x%08x: exists and is not a write-once index",
			(unsigned)h);
	if (exists && (p.attributes & TPMA_NV_WRITELOCKED))
		return pb_fail(e, PB_EFAIL, "NV index 0x%08x: already written (write-once)", (unsigned)h);
	if (exists && p.dataSize != len)
		return pb_fail(e, PB_EFAIL, "NV index 0x%08x: defined for %u bytes, not %zu",
			(unsigned)h, (unsigned)p.dataSize, len);
	if (!exists && nv_define(c, h, NV_COMMON_ATTRS | TPMA_NV_WRITEDEFINE, (uint16_t)len, e) != 0)
		return e->code;
	if (nv_write_data(c, h, data, len, e) != 0)
		return e->code;
	if (tpm_owner_session(c, &auth, e) != 0)
		return e->code;
	rc = Tss2_Sys_NV_WriteLock(c->sys, TPM2_RH_OWNER, h, &auth, &rsp);
	return rc == TSS2_RC_SUCCESS ? 0 : tpm_fail(c, e, "TPM2_NV_WriteLock", rc);
}

int tpm_nv_counter(tpm_ctx *c, uint32_t index, int increment, uint64_t *value, pb_err *e)
{
	TSS2L_SYS_AUTH_COMMAND auth;
	TSS2L_SYS_AUTH_RESPONSE rsp;
	TPMI_RH_NV_INDEX h = 0;
	TPMS_NV_PUBLIC p;
	uint8_t be[8];
	TSS2_RC rc;
	int exists;

	*value = 0;
	if (nv_handle(index, &h, e) != 0 || nv_public(c, h, &p, &exists, e) != 0)
		return e->code;
	if (exists && nv_type(&p) != TPM2_NT_COUNTER)
		return pb_fail(e, PB_EFAIL, "NV index 0x%08x: exists and is not a counter", (unsigned)h);
	if (!exists && !increment)
		return 0;
	if (!exists) {
		p.attributes = NV_COMMON_ATTRS | (TPM2_NT_COUNTER << TPMA_NV_TPM2_NT_SHIFT);
		if (nv_define(c, h, p.attributes, 8, e) != 0)
			return e->code;
	}
	if (increment) {
		if (tpm_owner_session(c, &auth, e) != 0)
			return e->code;
		rc = Tss2_Sys_NV_Increment(c->sys, TPM2_RH_OWNER, h, &auth, &rsp);
		if (rc != TSS2_RC_SUCCESS)
			return tpm_fail(c, e, "TPM2_NV_Increment", rc);
		p.attributes |= TPMA_NV_WRITTEN;
	}
	if (!(p.attributes & TPMA_NV_WRITTEN))
		return 0;   /* defined, never incremented */
	if (nv_read_data(c, h, &p, be, sizeof be, e) != 0)
		return e->code;
	for (int i = 0; i < 8; i++)
		*value = *value << 8 | be[i];
	return 0;
}

/* ------------------------------------------------------------------ */
/* Lifecycle storage (the tpm class's lifecycle_* slots).
 *
 * The record of state S is the write-once index TPM_NV_OWNER_BASE +
 * HAL_LC_NV_BASE + S holding S's 4-byte big-endian PSA value (the layout
 * of hal/lifecycle_nv.c). Where the platform hierarchy is open (the
 * simulator, swtpm, firmware that leaves it so) the index is defined by
 * the platform with TPMA_NV_POLICY_DELETE and an empty authPolicy: no
 * owner can delete it (TPM_RC_NV_AUTHORIZATION), and not even the platform
 * can (no policy satisfies an empty one), so it cannot be redefined to
 * clear its write lock. Where the platform hierarchy is closed, the
 * record is an owner index, which the owner password protects; completing
 * provisioning then requires that an owner password is set.
 *
 * Reading: a written, locked index with the right value is a record. A
 * platform-created index that is defined but not yet written can only be
 * an advance that was interrupted between TPM2_NV_DefineSpace and
 * TPM2_NV_WriteLock (only the platform defines such indices): it is not a
 * record, and the next advance completes it. Anything else at these
 * handles (an owner index never written, other attributes, other
 * content) is tampering: exit 5, never a lower state. */

#define LC_ATTRS_COMMON (TPMA_NV_AUTHREAD | TPMA_NV_WRITEDEFINE | TPMA_NV_NO_DA)
#define LC_ATTRS_PLATFORM (LC_ATTRS_COMMON | TPMA_NV_PPWRITE | TPMA_NV_PPREAD | \
	TPMA_NV_PLATFORMCREATE | TPMA_NV_POLICY_DELETE)
#define LC_ATTRS_OWNER (LC_ATTRS_COMMON | TPMA_NV_OWNERWRITE | TPMA_NV_OWNERREAD)
#define LC_ATTRS_MASK (~(TPMA_NV)(TPMA_NV_WRITELOCKED | TPMA_NV_WRITTEN | TPMA_NV_READLOCKED))

static const unsigned lc_psa[] = {0x1000, 0x2000, 0x3000, 0x6000};

static TPMI_RH_NV_INDEX lc_handle(hal_lifecycle s)
{
	return TPM_NV_OWNER_BASE + HAL_LC_NV_BASE + (uint32_t)s;
}

/* What is at the record's handle: 0 none, 1 a record, 2 a pending
 * platform index (an interrupted advance); *platform for 1 and 2. */
static int lc_probe(tpm_ctx *c, hal_lifecycle s, int *what, int *platform, pb_err *e)
{
	TPMI_RH_NV_INDEX h = lc_handle(s);
	TPMS_NV_PUBLIC p;
	uint8_t v[4];
	int exists;
	TPMA_NV attrs;

	*what = 0;
	*platform = 0;
	if (nv_public(c, h, &p, &exists, e) != 0)
		return e->code;
	if (!exists)
		return 0;
	attrs = p.attributes & LC_ATTRS_MASK;
	*platform = attrs == LC_ATTRS_PLATFORM;
	if ((!*platform && attrs != LC_ATTRS_OWNER) || nv_type(&p) != TPM2_NT_ORDINARY || p.dataSize != 4)
		return pb_fail(e, PB_EVERIFY, "lifecycle record '%s' (NV index 0x%08x): unexpected attributes "
			"(tampered with)", hal_lifecycle_name(s), (unsigned)h);
	if (!(p.attributes & TPMA_NV_WRITELOCKED)) {
		if (*platform) {
			*what = 2;
			return 0;
		}
		return pb_fail(e, PB_EVERIFY, "lifecycle record '%s' (NV index 0x%08x): defined but never "
			"written (tampered with)", hal_lifecycle_name(s), (unsigned)h);
	}
	if (!(p.attributes & TPMA_NV_WRITTEN) || nv_read_data(c, h, &p, v, sizeof v, e) != 0 ||
	    ((unsigned)v[0] << 24 | (unsigned)v[1] << 16 | (unsigned)v[2] << 8 | v[3]) != lc_psa[s]) {
		if (e->code != PB_EVERIFY)
			pb_fail(e, PB_EVERIFY, "lifecycle record '%s' (NV index 0x%08x): unreadable or wrong "
				"content (tampered with)", hal_lifecycle_name(s), (unsigned)h);
		return e->code;
	}
	*what = 1;
	return 0;
}

int tpm_lc_read(tpm_ctx *c, hal_lifecycle *lc, int *present, pb_err *e)
{
	int what, platform;

	*lc = HAL_LC_ASSEMBLY;
	*present = 0;
	/* every handle is checked, so tampering below the top record shows too */
	for (int s = HAL_LC_DECOMMISSIONED; s > HAL_LC_ASSEMBLY; s--) {
		if (lc_probe(c, (hal_lifecycle)s, &what, &platform, e) != 0)
			return e->code;
		if (what == 1 && !*present) {
			*lc = (hal_lifecycle)s;
			*present = 1;
		}
	}
	return 0;
}

/* Is the platform hierarchy enabled (TPMA_STARTUP_CLEAR phEnable)? And
 * has the owner hierarchy a password (TPMA_PERMANENT ownerAuthSet)? */
static int lc_hierarchies(tpm_ctx *c, int *ph_enabled, int *owner_auth_set, pb_err *e)
{
	TPMS_CAPABILITY_DATA cap = {0};
	TPMI_YES_NO more = 0;
	TSS2_RC rc;

	*ph_enabled = *owner_auth_set = 0;
	rc = Tss2_Sys_GetCapability(c->sys, NULL, TPM2_CAP_TPM_PROPERTIES, TPM2_PT_PERMANENT, 2, &more,
		&cap, NULL);
	if (rc != TSS2_RC_SUCCESS)
		return tpm_fail(c, e, "TPM2_GetCapability", rc);
	for (UINT32 i = 0; i < cap.data.tpmProperties.count; i++) {
		TPMS_TAGGED_PROPERTY *t = &cap.data.tpmProperties.tpmProperty[i];
		if (t->property == TPM2_PT_PERMANENT)
			*owner_auth_set = (t->value & TPMA_PERMANENT_OWNERAUTHSET) != 0;
		if (t->property == TPM2_PT_STARTUP_CLEAR)
			*ph_enabled = (t->value & TPMA_STARTUP_CLEAR_PHENABLE) != 0;
	}
	return 0;
}

/* Define (if need be), write and lock the platform index of s. Returns 0,
 * or -1 (e untouched) when the platform hierarchy refuses us. */
static int lc_write_platform(tpm_ctx *c, hal_lifecycle s, int pending, pb_err *e)
{
	TSS2L_SYS_AUTH_COMMAND auth;
	TSS2L_SYS_AUTH_RESPONSE rsp;
	TPM2B_AUTH index_auth = {0};
	TPM2B_NV_PUBLIC pub = {0};
	TPM2B_MAX_NV_BUFFER data = {0};
	TPMI_RH_NV_INDEX h = lc_handle(s);
	TSS2_RC rc;

	tpm_pw_session(&auth, NULL);   /* platform auth: empty where the hierarchy is open */
	if (!pending) {
		pub.nvPublic.nvIndex = h;
		pub.nvPublic.nameAlg = TPM2_ALG_SHA256;
		pub.nvPublic.attributes = LC_ATTRS_PLATFORM;
		pub.nvPublic.dataSize = 4;
		rc = Tss2_Sys_NV_DefineSpace(c->sys, TPM2_RH_PLATFORM, &auth, &index_auth, &pub, &rsp);
		switch (tpm_rc_base(rc)) {
		case TSS2_RC_SUCCESS: break;
		case TPM2_RC_HIERARCHY: case TPM2_RC_BAD_AUTH: case TPM2_RC_AUTH_FAIL:
		case TPM2_RC_LOCKOUT:
			return -1;
		default:
			return tpm_fail(c, e, "TPM2_NV_DefineSpace (platform)", rc);
		}
	}
	data.size = 4;
	data.buffer[0] = (uint8_t)(lc_psa[s] >> 24);
	data.buffer[1] = (uint8_t)(lc_psa[s] >> 16);
	data.buffer[2] = (uint8_t)(lc_psa[s] >> 8);
	data.buffer[3] = (uint8_t)lc_psa[s];
	rc = Tss2_Sys_NV_Write(c->sys, TPM2_RH_PLATFORM, h, &auth, &data, 0, &rsp);
	if (rc != TSS2_RC_SUCCESS)
		return tpm_fail(c, e, "TPM2_NV_Write (platform)", rc);
	rc = Tss2_Sys_NV_WriteLock(c->sys, TPM2_RH_PLATFORM, h, &auth, &rsp);
	return rc == TSS2_RC_SUCCESS ? 0 : tpm_fail(c, e, "TPM2_NV_WriteLock (platform)", rc);
}

int tpm_lc_write(tpm_ctx *c, hal_lifecycle to, pb_err *e)
{
	int what, platform, ph, owner_set, rc;
	uint8_t rec[4];

	if (to <= HAL_LC_ASSEMBLY || to > HAL_LC_DECOMMISSIONED)
		return pb_fail(e, PB_EUSAGE, "lifecycle: no record for state '%s'", hal_lifecycle_name(to));
	if (lc_probe(c, to, &what, &platform, e) != 0)
		return e->code;
	if (what == 1)
		return 0;     /* written already (by a process that ran at the same time) */
	rc = lc_write_platform(c, to, what == 2, e);
	if (rc >= 0)
		return rc;
	/* the platform hierarchy is closed: an owner index, which only the
	 * owner password protects; so leaving provisioning needs one */
	if (lc_hierarchies(c, &ph, &owner_set, e) != 0)
		return e->code;
	if (to >= HAL_LC_SECURED && !owner_set)
		return pb_fail(e, PB_EFAIL, "the TPM's platform hierarchy is closed, so the lifecycle record is "
			"an owner index: set an owner password first (tpm2_changeauth -c owner), then give it "
			"with --owner-auth-fd/--owner-auth-file");
	for (int i = 0; i < 4; i++)
		rec[i] = (uint8_t)(lc_psa[to] >> (24 - 8 * i));
	return tpm_nv_write_once(c, lc_handle(to), rec, sizeof rec, e);
}

int tpm_lc_protection(tpm_ctx *c, char *buf, size_t cap, pb_err *e)
{
	int what, platform = 0, ph, owner_set;

	for (int s = HAL_LC_DECOMMISSIONED; s > HAL_LC_ASSEMBLY; s--) {
		pb_err ignored;
		if (lc_probe(c, (hal_lifecycle)s, &what, &platform, &ignored) == 0 && what != 0)
			break;
		what = 0;
	}
	if (lc_hierarchies(c, &ph, &owner_set, e) != 0)
		return e->code;
	if (what != 0 ? platform : ph)
		snprintf(buf, cap, "TPM NV, platform-created indices with TPMA_NV_POLICY_DELETE "
			"(no owner can delete or redefine them)");
	else
		snprintf(buf, cap, "owner password (TPM NV owner indices: the platform hierarchy is closed; "
			"owner password %s)", owner_set ? "set" : "NOT set");
	return 0;
}
