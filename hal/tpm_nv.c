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
