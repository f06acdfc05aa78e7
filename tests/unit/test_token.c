/* tests/unit/test_token.c - core/token: names, the back-off schedule, and
 * the token life in a temporary state directory. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/file.h"
#include "core/token/token.h"
#include "tmpdir_run.h"

Test(token, backoff_is_free_then_doubles_then_capped) {
	static const unsigned want[] = {0, 0, 0, 1, 2, 4, 8, 16, 32, 60, 60, 60};
	for (unsigned n = 0; n < sizeof want / sizeof want[0]; n++)
		cr_assert_eq(pb_token_backoff(n), want[n], "after %u failures", n);
	cr_assert_eq(pb_token_backoff(1000), PB_TOKEN_DELAY_MAX);
	cr_assert_eq(pb_token_backoff(UINT64_MAX), PB_TOKEN_DELAY_MAX);
}

Test(token, names_stay_inside_the_state_directory) {
	static const char *good[] = {"device", "a", "rootfs.img", "x_1-2", "A9"};
	static const char *bad[] = {"", ".", "..", "../x", "a/b", ".hidden", "-x", "a b", "a\n",
		"0123456789012345678901234567890123456789012345678901234567890123456789"};
	pb_err e;

	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		cr_assert_eq(pb_token_name_check("name", good[i], &e), 0, "'%s' refused", good[i]);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_assert_eq(pb_token_name_check("name", bad[i], &e), PB_EUSAGE, "'%s' accepted", bad[i]);
}

static pb_state st;

/* in the per-test temporary directory of tmpdir_run.h */
static void mk_state(void)
{
	pb_err e;

	mk();
	cr_assert_eq(pb_state_open(&st, dir, &e), 0);
}

TestSuite(token_life, .init = mk_state, .fini = rm);

static pb_secret pin(const char *text)
{
	pb_secret s;
	pb_err e;

	cr_assert_eq(pb_secret_set(&s, text, &e), 0);
	return s;
}

static uint64_t failures(pb_token *t)
{
	pb_token_info info;
	pb_err e;

	cr_assert_eq(pb_token_info_get(t, &info, &e), 0, "%s", e.msg);
	return info.failures;
}

Test(token_life, create_unlock_count_change_pin_keep_the_wrap_secret) {
	pb_token t;
	pb_token_keys k1, k2;
	pb_secret a = pin("pin-a"), b = pin("pin-b"), bad = pin("nope"), short_pin = pin("abc");
	pb_err e;

	cr_assert_eq(pb_token_init(&t, &st, "device", &e), 0, "%s", e.msg);
	cr_assert_eq(pb_token_create(&t, &short_pin, PB_ALG_EC_P256, 0, &e), PB_EUSAGE);
	cr_assert_eq(pb_token_create(&t, &a, PB_ALG_EC_P256, 0, &e), 0, "%s", e.msg);
	cr_assert_eq(pb_token_create(&t, &a, PB_ALG_EC_P256, 0, &e), PB_EFAIL, "replaced without force");
	cr_assert_eq(pb_token_unlock(&t, &a, &k1, &e), 0, "%s", e.msg);
	cr_assert_eq(k1.key.alg, PB_ALG_EC_P256);
	cr_assert_gt(k1.cert_len, 100);

	cr_assert_eq(pb_token_unlock(&t, &bad, &k2, &e), PB_EAUTH);
	cr_assert_eq(pb_token_unlock(&t, &bad, &k2, &e), PB_EAUTH);
	cr_assert_eq(failures(&t), 2);
	cr_assert(strstr(e.msg, "2 failed attempts"), "%s", e.msg);

	cr_assert_eq(pb_token_change_pin(&t, &a, &b, &e), 0, "%s", e.msg);
	cr_assert_eq(failures(&t), 0);
	cr_assert_eq(pb_token_unlock(&t, &a, &k2, &e), PB_EAUTH);
	cr_assert_eq(pb_token_unlock(&t, &b, &k2, &e), 0, "%s", e.msg);
	cr_assert(pb_pubkey_equal(&k1.key.pub, &k2.key.pub));
	cr_assert(memcmp(k1.wrap_secret, k2.wrap_secret, 32) == 0, "wrap secret changed with the PIN");
	cr_assert(k1.cert_len == k2.cert_len && memcmp(k1.cert, k2.cert, k1.cert_len) == 0);
	pb_token_keys_wipe(&k1);
	pb_token_keys_wipe(&k2);
	pb_token_close(&t);
}

Test(token_life, container_keys_are_per_token_and_per_name) {
	pb_token t1, t2;
	pb_secret p = pin("pin-1234");
	uint8_t a[32], a2[32], b[32], c[32];
	pb_err e;
	char cmd[512];

	cr_assert_eq(pb_token_init(&t1, &st, "one", &e), 0);
	cr_assert_eq(pb_token_init(&t2, &st, "two", &e), 0);
	cr_assert_eq(pb_token_create(&t1, &p, PB_ALG_EC_P256, 0, &e), 0, "%s", e.msg);
	cr_assert_eq(pb_token_create(&t2, &p, PB_ALG_EC_P256, 0, &e), 0, "%s", e.msg);
	cr_assert_eq(pb_container_wrap(&t1, &p, "a", 0, &e), 0, "%s", e.msg);
	cr_assert_eq(pb_container_wrap(&t1, &p, "b", 0, &e), 0, "%s", e.msg);
	cr_assert_eq(pb_container_wrap(&t1, &p, "a", 0, &e), PB_EFAIL, "replaced without force");
	cr_assert_eq(pb_container_unwrap(&t1, &p, "a", a, &e), 0, "%s", e.msg);
	cr_assert_eq(pb_container_unwrap(&t1, &p, "a", a2, &e), 0, "%s", e.msg);
	cr_assert_eq(pb_container_unwrap(&t1, &p, "b", b, &e), 0, "%s", e.msg);
	cr_assert(memcmp(a, a2, 32) == 0);
	cr_assert(memcmp(a, b, 32) != 0);
	cr_assert_eq(pb_container_unwrap(&t1, &p, "../x", c, &e), PB_EUSAGE);

	/* the file of one token under another, or under another name: integrity failure */
	snprintf(cmd, sizeof cmd, "cd %s/tokens && mkdir -p two.containers && "
		"cp one.containers/a.wrap two.containers/a.wrap && "
		"cp one.containers/a.wrap one.containers/renamed.wrap", dir);
	cr_assert_eq(system(cmd), 0);
	cr_assert_eq(pb_container_unwrap(&t2, &p, "a", c, &e), PB_EVERIFY);
	cr_assert_eq(pb_container_unwrap(&t1, &p, "renamed", c, &e), PB_EVERIFY);
	pb_token_close(&t1);
	pb_token_close(&t2);
}

static int collect(void *ctx, const char *name, pb_err *e)
{
	(void)e;
	strcat(ctx, name);
	strcat(ctx, ";");
	return 0;
}

Test(token_life, list_and_remove) {
	pb_token t;
	pb_secret p = pin("pin-1234");
	char names[256] = "";
	pb_err e;

	for (const char *const *n = (const char *const[]){"zeta", "alpha", "mid", NULL}; *n; n++) {
		cr_assert_eq(pb_token_init(&t, &st, *n, &e), 0);
		cr_assert_eq(pb_token_create(&t, &p, PB_ALG_EC_P256, 0, &e), 0, "%s", e.msg);
		pb_token_close(&t);
	}
	cr_assert_eq(pb_token_each(&st, collect, names, &e), 0);
	cr_assert_str_eq(names, "alpha;mid;zeta;");
	cr_assert_eq(pb_token_init(&t, &st, "mid", &e), 0);
	cr_assert_eq(pb_container_wrap(&t, &p, "c", 0, &e), 0, "%s", e.msg);
	cr_assert_eq(pb_token_remove(&t, 0, &e), PB_EFAIL, "removed with a container key");
	cr_assert_eq(pb_token_remove(&t, 1, &e), 0, "%s", e.msg);
	cr_assert(!pb_exists(t.p12) && !pb_exists(t.containers));
	pb_token_close(&t);
	names[0] = '\0';
	cr_assert_eq(pb_token_each(&st, collect, names, &e), 0);
	cr_assert_str_eq(names, "alpha;zeta;");
}
