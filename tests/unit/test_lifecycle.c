/* tests/unit/test_lifecycle.c - the lifecycle policy of core/lifecycle over
 * fake in-memory backends, the NV default storage, and the whole path
 * through hal_open_opts with the simulated TPM. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/lifecycle/lifecycle.h"

/* A backend with its own lifecycle slots: one record, a log of writes. */
typedef struct fake_lc {
	hal_base base;
	int present;
	hal_lifecycle rec;
	hal_lifecycle written[8];
	int nwritten;
	int fail_read;
} fake_lc;

static int fake_read(hal_ctx *be, hal_lifecycle *lc, int *present, pb_err *e)
{
	fake_lc *f = (fake_lc *)(void *)be;

	if (f->fail_read)
		return pb_fail(e, PB_EFAIL, "OTP read failed");
	*present = f->present;
	*lc = f->rec;
	return 0;
}

static int fake_write(hal_ctx *be, hal_lifecycle to, pb_err *e)
{
	fake_lc *f = (fake_lc *)(void *)be;

	/* the storage contract: only ever the next state */
	cr_assert_eq((int)to, (int)(f->present ? f->rec : HAL_LC_ASSEMBLY) + 1, "asked to skip a state");
	(void)e;
	f->written[f->nwritten++] = to;
	f->rec = to;
	f->present = 1;
	return 0;
}

static int fake_protection(hal_ctx *be, char *buf, size_t cap, pb_err *e)
{
	(void)be;
	(void)e;
	snprintf(buf, cap, "fake OTP");
	return 0;
}

static const hal_backend_class fake_class = {
	.name = "fake", .caps = HAL_CAP_LIFECYCLE,
	.lifecycle_read = fake_read, .lifecycle_write = fake_write,
	.lifecycle_protection = fake_protection,
};
static const hal_backend_class other_class = {
	.name = "other", .caps = HAL_CAP_LIFECYCLE,
	.lifecycle_read = fake_read, .lifecycle_write = fake_write,
	.lifecycle_protection = fake_protection,
};

static void fake_init(fake_lc *f, const hal_backend_class *cls, int present, hal_lifecycle rec)
{
	memset(f, 0, sizeof *f);
	hal_base_init(&f->base, cls, NULL);
	f->present = present;
	f->rec = rec;
}

Test(lifecycle_policy, psa_values_and_names) {
	cr_assert_eq(pb_lc_psa_value(HAL_LC_ASSEMBLY), 0x1000);
	cr_assert_eq(pb_lc_psa_value(HAL_LC_PROVISIONING), 0x2000);
	cr_assert_eq(pb_lc_psa_value(HAL_LC_SECURED), 0x3000);
	cr_assert_eq(pb_lc_psa_value(HAL_LC_DECOMMISSIONED), 0x6000);
	cr_assert_str_eq(pb_lc_name(HAL_LC_SECURED), "secured");
}

Test(lifecycle_policy, no_record_is_assembly) {
	fake_lc f;
	hal_ctx *be[1] = {&f.base.vtable};
	hal_lifecycle lc = HAL_LC_SECURED;
	pb_lc_info info;
	pb_err e;

	fake_init(&f, &fake_class, 0, HAL_LC_ASSEMBLY);
	cr_assert_eq(pb_lc_current_of(be, 1, &lc, &info, &e), 0, "%s", e.msg);
	cr_assert_eq(lc, HAL_LC_ASSEMBLY);
	cr_assert_eq(info.records, 0);
	cr_assert_str_eq(info.holder, "");
	cr_assert_str_eq(info.authority, "fake");
	cr_assert_str_eq(info.protection, "fake OTP");
	cr_assert_eq(pb_lc_gate_of(be, 1, "add", &e), 0);
}

Test(lifecycle_policy, forward_through_each_state) {
	fake_lc f;
	hal_ctx *be[1] = {&f.base.vtable};
	hal_lifecycle lc;
	pb_err e;

	fake_init(&f, &fake_class, 0, HAL_LC_ASSEMBLY);
	cr_assert_eq(pb_lc_advance_of(be, 1, HAL_LC_SECURED, &e), 0, "%s", e.msg);
	cr_assert_eq(f.nwritten, 2);
	cr_assert_eq(f.written[0], HAL_LC_PROVISIONING);
	cr_assert_eq(f.written[1], HAL_LC_SECURED);
	cr_assert_eq(pb_lc_current_of(be, 1, &lc, NULL, &e), 0);
	cr_assert_eq(lc, HAL_LC_SECURED);
	cr_assert_eq(pb_lc_advance_of(be, 1, HAL_LC_DECOMMISSIONED, &e), 0, "%s", e.msg);
	cr_assert_eq(f.nwritten, 3);
	cr_assert_eq(f.written[2], HAL_LC_DECOMMISSIONED);
}

Test(lifecycle_policy, same_state_changes_nothing) {
	fake_lc f;
	hal_ctx *be[1] = {&f.base.vtable};
	pb_err e;

	fake_init(&f, &fake_class, 1, HAL_LC_PROVISIONING);
	cr_assert_eq(pb_lc_advance_of(be, 1, HAL_LC_PROVISIONING, &e), 0, "%s", e.msg);
	cr_assert_eq(f.nwritten, 0);
	fake_init(&f, &fake_class, 0, HAL_LC_ASSEMBLY);
	cr_assert_eq(pb_lc_advance_of(be, 1, HAL_LC_ASSEMBLY, &e), 0, "%s", e.msg);
	cr_assert_eq(f.nwritten, 0);
}

Test(lifecycle_policy, backward_is_refused_with_exit_3) {
	fake_lc f;
	hal_ctx *be[1] = {&f.base.vtable};
	pb_err e;

	fake_init(&f, &fake_class, 1, HAL_LC_SECURED);
	cr_assert_eq(pb_lc_advance_of(be, 1, HAL_LC_PROVISIONING, &e), PB_EREFUSED);
	cr_assert(strstr(e.msg, "refused: device is secured") && strstr(e.msg, "provisioning"), "%s", e.msg);
	cr_assert_eq(pb_lc_advance_of(be, 1, HAL_LC_ASSEMBLY, &e), PB_EREFUSED);
	cr_assert_eq(f.nwritten, 0);
	cr_assert_eq(f.rec, HAL_LC_SECURED);
}

Test(lifecycle_policy, most_advanced_record_of_all_wins) {
	fake_lc auth, other;
	hal_ctx *be[2] = {&auth.base.vtable, &other.base.vtable};
	hal_lifecycle lc;
	pb_lc_info info;
	pb_err e;

	fake_init(&auth, &fake_class, 1, HAL_LC_PROVISIONING);
	fake_init(&other, &other_class, 1, HAL_LC_SECURED);
	cr_assert_eq(pb_lc_current_of(be, 2, &lc, &info, &e), 0, "%s", e.msg);
	cr_assert_eq(lc, HAL_LC_SECURED);
	cr_assert_eq(info.records, 2);
	cr_assert_str_eq(info.holder, "other");
	cr_assert_str_eq(info.authority, "fake");
	/* the authority's lower record does not reopen provisioning */
	cr_assert_eq(pb_lc_gate_of(be, 2, "add", &e), PB_EREFUSED);
	cr_assert_str_eq(e.msg, "add: refused: device is secured (provisioning completed)");
	cr_assert_eq(pb_lc_advance_of(be, 2, HAL_LC_PROVISIONING, &e), PB_EREFUSED);
	/* forward from there: the authority passes each state after its own */
	cr_assert_eq(pb_lc_advance_of(be, 2, HAL_LC_DECOMMISSIONED, &e), 0, "%s", e.msg);
	cr_assert_eq(auth.nwritten, 2);
	cr_assert_eq(auth.written[0], HAL_LC_SECURED);
	cr_assert_eq(auth.written[1], HAL_LC_DECOMMISSIONED);
	cr_assert_eq(other.nwritten, 0, "only the authority is written");
	/* a record-less backend among them changes nothing */
	fake_init(&auth, &fake_class, 0, HAL_LC_ASSEMBLY);
	cr_assert_eq(pb_lc_current_of(be, 2, &lc, &info, &e), 0);
	cr_assert_eq(lc, HAL_LC_SECURED);
	cr_assert_eq(info.records, 1);
}

Test(lifecycle_policy, gate_messages) {
	fake_lc f;
	hal_ctx *be[1] = {&f.base.vtable};
	pb_err e;

	fake_init(&f, &fake_class, 1, HAL_LC_PROVISIONING);
	cr_assert_eq(pb_lc_gate_of(be, 1, "create", &e), 0);
	fake_init(&f, &fake_class, 1, HAL_LC_SECURED);
	cr_assert_eq(pb_lc_gate_of(be, 1, NULL, &e), PB_EREFUSED);
	cr_assert_str_eq(e.msg, "refused: device is secured (provisioning completed)");
	fake_init(&f, &fake_class, 1, HAL_LC_DECOMMISSIONED);
	cr_assert_eq(pb_lc_gate_of(be, 1, "import", &e), PB_EREFUSED);
	cr_assert_str_eq(e.msg, "import: refused: device is decommissioned");
	/* a backend that cannot answer: the gate fails, it does not pass */
	f.fail_read = 1;
	cr_assert_eq(pb_lc_gate_of(be, 1, "remove", &e), PB_EFAIL);
	cr_assert_str_eq(e.msg, "remove: lifecycle: fake backend: OTP read failed");
}

/* A backend with only write-once NV in memory: the default storage. */
typedef struct fake_nv {
	hal_base base;
	uint8_t val[8][8];
	size_t len[8];
	int written[8];
} fake_nv;

static int slot(uint32_t index, pb_err *e)
{
	if (index < HAL_LC_NV_BASE || index >= HAL_LC_NV_BASE + 8)
		return pb_fail(e, PB_EUSAGE, "index 0x%x", (unsigned)index), -1;
	return (int)(index - HAL_LC_NV_BASE);
}

static int nv_read(hal_ctx *be, uint32_t index, uint8_t *buf, size_t cap, size_t *len, int *defined,
	pb_err *e)
{
	fake_nv *f = (fake_nv *)(void *)be;
	int i = slot(index, e);

	if (i < 0)
		return e->code;
	*defined = f->written[i];
	*len = f->len[i];
	cr_assert_leq(*len, cap);
	memcpy(buf, f->val[i], *len);
	return 0;
}

static int nv_write_once(hal_ctx *be, uint32_t index, const uint8_t *data, size_t len, pb_err *e)
{
	fake_nv *f = (fake_nv *)(void *)be;
	int i = slot(index, e);

	if (i < 0)
		return e->code;
	if (f->written[i])
		return pb_fail(e, PB_EFAIL, "already written");
	memcpy(f->val[i], data, len);
	f->len[i] = len;
	f->written[i] = 1;
	return 0;
}

static const hal_backend_class nv_class = {
	.name = "nvfake", .nv_read = nv_read, .nv_write_once = nv_write_once,
};

Test(lifecycle_nv, default_storage_over_write_once_nv) {
	fake_nv f;
	hal_ctx *be[1] = {&f.base.vtable};
	hal_lifecycle lc;
	int present;
	pb_err e;
	char prot[160];

	memset(&f, 0, sizeof f);
	hal_base_init(&f.base, &nv_class, NULL);
	cr_assert(hal_has_lifecycle(be[0]));
	cr_assert(hal_caps(be[0]) & HAL_CAP_LIFECYCLE);
	cr_assert_eq(hal_lifecycle_read(be[0], &lc, &present, &e), 0, "%s", e.msg);
	cr_assert_eq(present, 0);
	cr_assert_eq(pb_lc_advance_of(be, 1, HAL_LC_SECURED, &e), 0, "%s", e.msg);
	cr_assert(!f.written[0] && f.written[1] && f.written[2] && !f.written[3]);
	cr_assert_eq(f.len[2], 4);
	cr_assert_arr_eq(f.val[2], "\x00\x00\x30\x00", 4, "the record is the PSA value");
	cr_assert_eq(hal_lifecycle_read(be[0], &lc, &present, &e), 0, "%s", e.msg);
	cr_assert(present);
	cr_assert_eq(lc, HAL_LC_SECURED);
	cr_assert_eq(hal_lifecycle_protection(be[0], prot, sizeof prot, &e), 0);
	cr_assert(strstr(prot, "nvfake NV, write-once"), "%s", prot);
	/* a record with other content is not ours: verification failure */
	f.val[3][0] = 0x55;
	f.len[3] = 4;
	f.written[3] = 1;
	cr_assert_eq(hal_lifecycle_read(be[0], &lc, &present, &e), PB_EVERIFY);
	cr_assert(strstr(e.msg, "lifecycle record 'decommissioned'"), "%s", e.msg);
}

static char dir[64];
static void mk(void) { strcpy(dir, "/tmp/pb-unit-lc.XXXXXX"); cr_assert_not_null(mkdtemp(dir)); }
static void rm(void) { char c[128]; snprintf(c, sizeof c, "rm -rf %s", dir); cr_assert_eq(system(c), 0); }

TestSuite(lifecycle_tpm, .init = mk, .fini = rm, .timeout = 120);

Test(lifecycle_tpm, gate_and_advance_through_the_simulated_tpm) {
	hal_open_opts o = {.tpm_uri = "sim", .state_dir = dir};
	hal_lifecycle lc;
	pb_lc_info info;
	pb_err e;

	cr_assert_eq(pb_lc_current(&o, &lc, &info, &e), 0, "%s", e.msg);
	cr_assert_eq(lc, HAL_LC_ASSEMBLY);
	cr_assert_str_eq(info.authority, "tpm");
	cr_assert_eq(pb_lc_gate(&o, "create", &e), 0, "%s", e.msg);
	cr_assert_eq(pb_lc_advance(&o, HAL_LC_PROVISIONING, &e), 0, "%s", e.msg);
	cr_assert_eq(pb_lc_gate(&o, "create", &e), 0, "%s", e.msg);
	cr_assert_eq(pb_lc_advance(&o, HAL_LC_SECURED, &e), 0, "%s", e.msg);
	cr_assert_eq(pb_lc_gate(&o, "create", &e), PB_EREFUSED);
	cr_assert_str_eq(e.msg, "create: refused: device is secured (provisioning completed)");
	cr_assert_eq(pb_lc_advance(&o, HAL_LC_PROVISIONING, &e), PB_EREFUSED);
	cr_assert_eq(pb_lc_current(&o, &lc, &info, &e), 0, "%s", e.msg);
	cr_assert_eq(lc, HAL_LC_SECURED);
	cr_assert_eq(info.records, 1);
	cr_assert_str_eq(info.holder, "tpm");
	/* the authority is recorded: another --tpm does not change who is asked */
	hal_open_opts other = {.tpm_uri = "swtpm:port=1", .state_dir = dir};
	cr_assert_eq(pb_lc_gate(&other, "create", &e), PB_EREFUSED, "%s", e.msg);
	/* an unreachable authority (a fresh state dir): exit 1 naming it, never a pass */
	char fresh[300];
	snprintf(fresh, sizeof fresh, "%s/fresh", dir);
	hal_open_opts bad = {.tpm_uri = "swtpm:port=1", .state_dir = fresh};
	cr_assert_eq(pb_lc_gate(&bad, "create", &e), PB_EFAIL);
	cr_assert(strncmp(e.msg, "create: lifecycle: tpm backend: ", 32) == 0, "%s", e.msg);
}
