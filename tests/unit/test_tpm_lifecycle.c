/* tests/unit/test_tpm_lifecycle.c - the TPM's lifecycle slots (hal/tpm_nv.c)
 * in the simulated TPM: platform-created records, an advance interrupted
 * between TPM2_NV_DefineSpace and TPM2_NV_WriteLock, tampering. */
#include <criterion/criterion.h>
#include <string.h>

#include "hal/tpm.h"
#include "tmpdir_run.h"

TestSuite(tpm_lifecycle, .init = mk, .fini = rm, .timeout = 120);

static hal_ctx *open_sim(void)
{
	hal_open_opts o = {.tpm_uri = "sim", .state_dir = dir};
	hal_ctx *be;
	pb_err e;

	cr_assert_eq(hal_open(HAL_TPM, &o, &be, &e), 0, "%s", e.msg);
	return be;
}

/* Define the record index of state s as provbox's first step would, by
 * hierarchy h with attributes a, and stop there (the process "dies"). */
static void define_only(hal_ctx *be, hal_lifecycle s, TPMI_RH_PROVISION h, TPMA_NV a)
{
	tpm_ctx *c = tpm_ctx_of(be);
	TSS2L_SYS_AUTH_COMMAND auth;
	TSS2L_SYS_AUTH_RESPONSE rsp;
	TPM2B_AUTH index_auth = {0};
	TPM2B_NV_PUBLIC pub = {0};

	pub.nvPublic.nvIndex = TPM_NV_OWNER_BASE + HAL_LC_NV_BASE + (uint32_t)s;
	pub.nvPublic.nameAlg = TPM2_ALG_SHA256;
	pub.nvPublic.attributes = a;
	pub.nvPublic.dataSize = 4;
	tpm_pw_session(&auth, NULL);
	cr_assert_eq(Tss2_Sys_NV_DefineSpace(c->sys, h, &auth, &index_auth, &pub, &rsp), TSS2_RC_SUCCESS);
}

#define PLATFORM_ATTRS (TPMA_NV_AUTHREAD | TPMA_NV_WRITEDEFINE | TPMA_NV_NO_DA | TPMA_NV_PPWRITE | \
	TPMA_NV_PPREAD | TPMA_NV_PLATFORMCREATE | TPMA_NV_POLICY_DELETE)
#define OWNER_ATTRS (TPMA_NV_AUTHREAD | TPMA_NV_WRITEDEFINE | TPMA_NV_NO_DA | TPMA_NV_OWNERWRITE | \
	TPMA_NV_OWNERREAD)

Test(tpm_lifecycle, records_are_platform_created_and_policy_delete) {
	hal_ctx *be = open_sim();
	TSS2L_SYS_AUTH_COMMAND auth;
	TSS2L_SYS_AUTH_RESPONSE rsp;
	TPM2B_NV_PUBLIC pub = {0};
	TPM2B_NAME name = {0};
	TPMI_RH_NV_INDEX h = TPM_NV_OWNER_BASE + HAL_LC_NV_BASE + HAL_LC_PROVISIONING;
	char prot[160];
	pb_err e;

	cr_assert_eq(hal_lifecycle_write(be, HAL_LC_PROVISIONING, &e), 0, "%s", e.msg);
	cr_assert_eq(Tss2_Sys_NV_ReadPublic(tpm_ctx_of(be)->sys, h, NULL, &pub, &name, NULL), TSS2_RC_SUCCESS);
	cr_assert(pub.nvPublic.attributes & TPMA_NV_PLATFORMCREATE);
	cr_assert(pub.nvPublic.attributes & TPMA_NV_POLICY_DELETE);
	cr_assert(pub.nvPublic.attributes & TPMA_NV_WRITELOCKED);
	/* the owner cannot undefine it */
	tpm_pw_session(&auth, NULL);
	cr_assert_neq(Tss2_Sys_NV_UndefineSpace(tpm_ctx_of(be)->sys, TPM2_RH_OWNER, h, &auth, &rsp),
		TSS2_RC_SUCCESS);
	cr_assert_eq(hal_lifecycle_protection(be, prot, sizeof prot, &e), 0);
	cr_assert(strstr(prot, "platform-created"), "%s", prot);
	hal_close(be);
}

Test(tpm_lifecycle, an_interrupted_advance_reads_as_the_old_state_and_completes) {
	hal_ctx *be = open_sim();
	hal_lifecycle lc;
	int present;
	pb_err e;

	cr_assert_eq(hal_lifecycle_write(be, HAL_LC_PROVISIONING, &e), 0, "%s", e.msg);
	define_only(be, HAL_LC_SECURED, TPM2_RH_PLATFORM, PLATFORM_ATTRS);
	cr_assert_eq(hal_lifecycle_read(be, &lc, &present, &e), 0, "%s", e.msg);
	cr_assert_eq(lc, HAL_LC_PROVISIONING);
	cr_assert_eq(hal_lifecycle_write(be, HAL_LC_SECURED, &e), 0, "%s", e.msg);
	cr_assert_eq(hal_lifecycle_read(be, &lc, &present, &e), 0, "%s", e.msg);
	cr_assert_eq(lc, HAL_LC_SECURED);
	hal_close(be);
}

Test(tpm_lifecycle, an_owner_index_never_written_is_tampering) {
	hal_ctx *be = open_sim();
	hal_lifecycle lc;
	int present;
	pb_err e;

	define_only(be, HAL_LC_PROVISIONING, TPM2_RH_OWNER, OWNER_ATTRS);
	cr_assert_eq(hal_lifecycle_read(be, &lc, &present, &e), PB_EVERIFY);
	cr_assert(strstr(e.msg, "defined but never written"), "%s", e.msg);
	hal_close(be);
}

Test(tpm_lifecycle, other_attributes_at_a_record_handle_are_tampering) {
	hal_ctx *be = open_sim();
	hal_lifecycle lc;
	int present;
	pb_err e;

	define_only(be, HAL_LC_SECURED, TPM2_RH_OWNER, OWNER_ATTRS & ~(TPMA_NV)TPMA_NV_WRITEDEFINE);
	cr_assert_eq(hal_lifecycle_read(be, &lc, &present, &e), PB_EVERIFY);
	cr_assert(strstr(e.msg, "unexpected attributes"), "%s", e.msg);
	cr_assert_eq(hal_lifecycle_write(be, HAL_LC_SECURED, &e), PB_EVERIFY, "%s", e.msg);
	hal_close(be);
}
