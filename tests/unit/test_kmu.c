/* tests/unit/test_kmu.c - the kmu HAL backend and the kmu applet, run in
 * process over a temporary state directory, the lifecycle moved through
 * core (pb_lc_advance): every refusal, and STATE/kmu/slots byte-identical
 * after each. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "core/base/applet.h"
#include "core/base/file.h"
#include "core/lifecycle/lifecycle.h"
#include "hal/hal.h"
#include "sim/kmu.h"
#include "tmpdir_run.h"

extern const pb_applet applet_kmu;

static hal_open_opts ho;
static char slots[256];

static void mk_state(void)
{
	mk();
	memset(&ho, 0, sizeof ho);
	ho.kmu_uri = "sim";
	ho.state_dir = dir;
	snprintf(slots, sizeof slots, "%s/kmu/slots", dir);
}

TestSuite(kmu, .init = mk_state, .fini = rm);

/* provbox kmu SUB [ARG] --state DIR, in process; its message in *e. */
static int kmu(pb_err *e, const char *sub, const char *arg)
{
	char *argv[6] = {"kmu", (char *)sub, "--state", dir, (char *)arg, NULL};

	memset(e, 0, sizeof *e);
	fflush(stdout);
	return applet_kmu.main(arg ? 5 : 4, argv, e);
}

typedef struct snap { uint8_t b[SIM_KMU_FILE_MAX]; size_t n; int exists; } snap;

static void take(snap *s)
{
	FILE *f = fopen(slots, "rb");

	s->n = 0;
	s->exists = f != NULL;
	if (f) {
		s->n = fread(s->b, 1, sizeof s->b, f);
		fclose(f);
	}
}

static void same(const snap *a, const char *what)
{
	snap b;

	take(&b);
	cr_assert(a->exists == b.exists && a->n == b.n && memcmp(a->b, b.b, a->n) == 0,
		"%s changed STATE/kmu/slots", what);
}

#define REFUSED(code, needle, call) do { \
		snap s_; pb_err e_; int rc_; \
		take(&s_); \
		rc_ = (call); \
		cr_assert_eq(rc_, (code), "%s: exit %d (%s)", #call, rc_, e_.msg); \
		cr_assert(strstr(e_.msg, (needle)) != NULL, "%s: '%s' lacks '%s'", #call, e_.msg, (needle)); \
		same(&s_, #call); \
	} while (0)
#define OK(call) do { pb_err e_; int rc_ = (call); cr_assert_eq(rc_, 0, "%s: %s", #call, e_.msg); } while (0)

static void advance(hal_lifecycle to)
{
	pb_err e;

	cr_assert_eq(pb_lc_advance(&ho, to, &e), 0, "advance to %s: %s", pb_lc_name(to), e.msg);
}

Test(kmu, gen_needs_the_provisioning_state) {
	REFUSED(PB_EREFUSED, "refused: device is assembly", kmu(&e_, "gen-huk", NULL));
	REFUSED(PB_EREFUSED, "refused: device is assembly", kmu(&e_, "gen-identity", NULL));
	cr_assert(!pb_exists(slots));
	advance(HAL_LC_PROVISIONING);
	OK(kmu(&e_, "gen-huk", NULL));
	OK(kmu(&e_, "gen-identity", NULL));
	advance(HAL_LC_SECURED);
	REFUSED(PB_EREFUSED, "gen-huk: refused: device is secured", kmu(&e_, "gen-huk", NULL));
	REFUSED(PB_EREFUSED, "gen-identity: refused: device is secured", kmu(&e_, "gen-identity", NULL));
	REFUSED(PB_EREFUSED, "only moves forward", pb_lc_advance(&ho, HAL_LC_PROVISIONING, &e_));
	/* reading and signing stay allowed */
	OK(kmu(&e_, "is-written", NULL));
	OK(kmu(&e_, "status", NULL));
}

Test(kmu, every_refusal_of_the_applet_leaves_the_kmu_as_it_was) {
	advance(HAL_LC_PROVISIONING);
	REFUSED(PB_EFAIL, "MKEK missing", kmu(&e_, "gen-identity", NULL));
	REFUSED(PB_EFAIL, "not written", kmu(&e_, "is-written", NULL));
	REFUSED(PB_EFAIL, "not found", kmu(&e_, "read-identity", "--out=/dev/null"));
	OK(kmu(&e_, "gen-huk", NULL));
	REFUSED(PB_EFAIL, "HUKs already written", kmu(&e_, "gen-huk", NULL));
	OK(kmu(&e_, "gen-identity", NULL));
	REFUSED(PB_EFAIL, "identity key already written", kmu(&e_, "gen-identity", NULL));
	REFUSED(PB_EUSAGE, "--yes", kmu(&e_, "erase-all", NULL));
	REFUSED(PB_EUSAGE, "unknown", kmu(&e_, "gen-huk", "--bogus"));
	OK(kmu(&e_, "is-written", NULL));
	OK(kmu(&e_, "erase-all", "--yes"));
	REFUSED(PB_EFAIL, "not written", kmu(&e_, "is-written", NULL));
}

Test(kmu, the_backend_cannot_get_around_the_kmu) {
	hal_ctx *be;
	pb_err e;
	hal_key_ref id, mkek;
	hal_key_spec spec = hal_key_spec_sign(PB_ALG_EC_P256, 1);
	uint8_t d[32] = {7}, sig[PB_SIG_MAX];
	size_t n;
	pb_pubkey pub;
	int found;

	cr_assert_eq(hal_key_ref_parse("kmu:identity", &id, &e), 0);
	cr_assert_eq(hal_key_ref_parse("kmu:mkek", &mkek, &e), 0);
	cr_assert_eq(hal_open(HAL_KMU, &ho, &be, &e), 0, "%s", e.msg);
	cr_assert_eq(hal_caps(be) & (HAL_CAP_NON_EXTRACTABLE | HAL_CAP_LIFECYCLE | HAL_CAP_TOKEN_ADMIN),
		HAL_CAP_NON_EXTRACTABLE | HAL_CAP_LIFECYCLE | HAL_CAP_TOKEN_ADMIN);
	OK(hal_key_find(be, &id, &pub, &found, &e_));
	cr_assert_eq(found, 0);
	/* csr --key kmu:identity --create goes the same way, and needs the MKEK */
	REFUSED(PB_EFAIL, "MKEK missing", hal_key_create(be, &id, &spec, &e_));
	advance(HAL_LC_PROVISIONING);
	OK(kmu(&e_, "gen-huk", NULL));
	OK(hal_key_create(be, &id, &spec, &e_));
	/* write-once: force does not help */
	REFUSED(PB_EFAIL, "already written", hal_key_create(be, &id, &spec, &e_));
	REFUSED(PB_EFAIL, "derive-only", hal_key_sign(be, &mkek, PB_HASH_SHA256, d, 32, sig, sizeof sig, &n, &e_));
	REFUSED(PB_EFAIL, "no public key", hal_key_find(be, &mkek, &pub, &found, &e_));
	OK(hal_key_public(be, &id, &pub, &e_));
	OK(hal_key_sign(be, &id, PB_HASH_SHA256, d, 32, sig, sizeof sig, &n, &e_));
	cr_assert(pb_pubkey_verify(&pub, PB_HASH_SHA256, d, 32, sig, n));
	/* destroy = revoke: unusable, and not writable again until erase-all */
	OK(hal_key_destroy(be, &id, &e_));
	REFUSED(PB_EFAIL, "revoked", hal_key_sign(be, &id, PB_HASH_SHA256, d, 32, sig, sizeof sig, &n, &e_));
	REFUSED(PB_EFAIL, "revoked", kmu(&e_, "gen-identity", NULL));
	OK(hal_token_erase(be, &e_));
	OK(hal_key_find(be, &id, &pub, &found, &e_));
	cr_assert_eq(found, 0);
	hal_close(be);
}

static int count_key(void *ctx, const hal_key_info *k, pb_err *e)
{
	int *n = ctx;

	(void)e;
	cr_assert_eq(k->ref.kind, HAL_KMU);
	cr_assert(k->sensitive && !k->extractable && k->local);
	cr_assert_eq(k->policy, HAL_POLICY_WRITE_ONCE | HAL_POLICY_PUSH_ONLY);
	cr_assert_eq(k->usage, strcmp(k->ref.name, "identity") == 0 ? HAL_USAGE_SIGN : HAL_USAGE_DERIVE);
	(*n)++;
	return 0;
}

Test(kmu, lifecycle_storage_is_the_otp_and_erase_all_resets_it) {
	hal_ctx *be;
	pb_err e;
	hal_lifecycle lc;
	int present, n = 0;
	char prot[160];

	cr_assert_eq(hal_open(HAL_KMU, &ho, &be, &e), 0, "%s", e.msg);
	OK(hal_lifecycle_read(be, &lc, &present, &e_));
	cr_assert_eq(present, 0);
	advance(HAL_LC_PROVISIONING);
	/* the hardware takes the next state only; core walks each one */
	REFUSED(PB_EFAIL, "takes only secured", hal_lifecycle_write(be, HAL_LC_DECOMMISSIONED, &e_));
	REFUSED(PB_EREFUSED, "only set", hal_lifecycle_write(be, HAL_LC_ASSEMBLY, &e_));
	advance(HAL_LC_DECOMMISSIONED);
	OK(hal_lifecycle_read(be, &lc, &present, &e_));
	cr_assert_eq(lc, HAL_LC_DECOMMISSIONED);
	cr_assert_eq(present, 1);
	OK(hal_lifecycle_protection(be, prot, sizeof prot, &e_));
	cr_assert(strstr(prot, "OTP"));
	OK(hal_key_list(be, count_key, &n, &e_));
	cr_assert_eq(n, 0);
	OK(kmu(&e_, "erase-all", "--yes"));
	OK(hal_lifecycle_read(be, &lc, &present, &e_));
	cr_assert_eq(lc, HAL_LC_ASSEMBLY);
	advance(HAL_LC_PROVISIONING);
	OK(kmu(&e_, "gen-huk", NULL));
	OK(kmu(&e_, "gen-identity", NULL));
	OK(hal_key_list(be, count_key, &n, &e_));
	cr_assert_eq(n, 3);
	hal_close(be);
}
