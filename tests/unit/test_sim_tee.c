/* tests/unit/test_sim_tee.c - the simulated TEE secure storage: token and
 * PINs, keys, integrity and rollback of object files, reset. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/file.h"
#include "sim/tee.h"

static char dir[64];
static void mk(void) { strcpy(dir, "/tmp/pb-unit-simtee.XXXXXX"); cr_assert_not_null(mkdtemp(dir)); }
static void rm(void) { char c[128]; snprintf(c, sizeof c, "rm -rf %s", dir); cr_assert_eq(system(c), 0); }

TestSuite(sim_tee, .init = mk, .fini = rm, .timeout = 60);

static pb_secret sec(const char *v)
{
	pb_secret s;
	pb_err e;
	cr_assert_eq(pb_secret_set(&s, v, &e), 0);
	return s;
}

static sim_tee *open_tee(void)
{
	sim_tee *t;
	pb_err e;
	cr_assert_eq(sim_tee_open(dir, &t, &e), 0, "%s", e.msg);
	return t;
}

/* token "tok0", SO 12345678, user 1234, logged in */
static sim_tee *ready(void)
{
	sim_tee *t = open_tee();
	pb_secret so = sec("12345678"), pin = sec("1234");
	pb_err e;
	int changed;

	cr_assert_eq(sim_tee_init_token(t, "tok0", &so, 0, &changed, &e), 0, "%s", e.msg);
	cr_assert_eq(changed, 1);
	cr_assert_eq(sim_tee_init_pin(t, &so, &pin, &e), 0, "%s", e.msg);
	cr_assert_eq(sim_tee_login(t, &pin, &e), 0, "%s", e.msg);
	return t;
}

static void file_path(const char *name, char *out)
{
	snprintf(out, PATH_MAX, "%s/tee/%s", dir, name);
}

static void flip(const char *name, size_t off)
{
	char p[PATH_MAX];
	uint8_t *buf;
	size_t len;
	pb_err e;

	file_path(name, p);
	cr_assert_eq(pb_file_read(p, 1 << 20, &buf, &len, &e), 0, "%s", e.msg);
	cr_assert(off < len);
	buf[off] ^= 0x01;
	cr_assert_eq(pb_atomic_write(p, buf, len, 0600, &e), 0);
	pb_file_free(buf, len);
}

static void cp(const char *from, const char *to)
{
	char c[512];
	snprintf(c, sizeof c, "cp %s/tee/%s %s/tee/%s", dir, from, dir, to);
	cr_assert_eq(system(c), 0);
}

/* every file's content, for "nothing else touched" */
static void snapshot(char *out, size_t cap)
{
	char c[256];
	FILE *f;
	size_t n;

	snprintf(c, sizeof c, "cd %s/tee && sha256sum * | sort", dir);
	f = popen(c, "r");
	cr_assert_not_null(f);
	n = fread(out, 1, cap - 1, f);
	out[n] = '\0';
	pclose(f);
}

Test(sim_tee, init_is_rerunnable_and_refuses_another_label)
{
	sim_tee *t = open_tee();
	pb_secret so = sec("12345678"), bad = sec("87654321");
	pb_err e;
	int changed;
	sim_tee_status st;

	cr_assert_eq(sim_tee_init_token(t, "tok0", &so, 0, &changed, &e), 0, "%s", e.msg);
	cr_assert_eq(changed, 1);
	cr_assert_eq(sim_tee_init_token(t, "tok0", &so, 0, &changed, &e), 0, "%s", e.msg);
	cr_assert_eq(changed, 0);
	cr_assert_eq(sim_tee_init_token(t, "tok0", &bad, 0, &changed, &e), PB_EAUTH);
	cr_assert_eq(sim_tee_init_token(t, "other", &so, 0, &changed, &e), PB_EFAIL);
	cr_assert(strstr(e.msg, "'tok0'") != NULL, "%s", e.msg);
	cr_assert_eq(sim_tee_status_get(t, &st, &e), 0, "%s", e.msg);
	cr_assert(st.initialised && !st.user_pin_set);
	cr_assert_str_eq(st.label, "tok0");
	cr_assert_eq(strlen(st.serial), 16);
	cr_assert_eq(st.so_tries, SIM_TEE_PIN_TRIES - 1, "the wrong SO PIN counted");
	sim_tee_close(t);
}

Test(sim_tee, user_pin_locks_and_the_so_unlocks_it)
{
	sim_tee *t = ready();
	pb_secret pin = sec("1234"), bad = sec("9999"), so = sec("12345678");
	pb_err e;

	sim_tee_close(t);
	t = open_tee();
	for (int i = 0; i < SIM_TEE_PIN_TRIES; i++) {
		cr_assert_eq(sim_tee_login(t, &bad, &e), PB_EAUTH);
		cr_assert(strstr(e.msg, "wrong user PIN") != NULL, "%s", e.msg);
	}
	cr_assert_eq(sim_tee_login(t, &pin, &e), PB_EAUTH);
	cr_assert(strstr(e.msg, "locked") != NULL, "%s", e.msg);
	cr_assert_eq(sim_tee_init_pin(t, &so, &pin, &e), 0, "%s", e.msg);
	cr_assert_eq(sim_tee_login(t, &pin, &e), 0, "%s", e.msg);
	sim_tee_close(t);
}

static void sign_verify(sim_tee *t, const char *label, pb_alg alg)
{
	pb_pubkey pub;
	pb_err e;
	uint8_t d[32], sig[PB_SIG_MAX];
	size_t siglen;
	int found;

	cr_assert_eq(sim_tee_keygen(t, label, alg, 0, &e), 0, "%s", e.msg);
	cr_assert_eq(sim_tee_keygen(t, label, alg, 0, &e), PB_EFAIL);
	cr_assert_eq(sim_tee_public(t, label, &pub, &found, &e), 0, "%s", e.msg);
	cr_assert(found && pub.alg == alg);
	pb_hash_data(PB_HASH_SHA256, "tbs", 3, d);
	cr_assert_eq(sim_tee_sign(t, label, PB_HASH_SHA256, d, 32, sig, sizeof sig, &siglen, &e), 0, "%s", e.msg);
	cr_assert(pb_pubkey_verify(&pub, PB_HASH_SHA256, d, 32, sig, siglen));
}

Test(sim_tee, keys_sign_and_need_the_user_pin)
{
	sim_tee *t = ready();
	pb_pubkey pub;
	pb_err e;
	uint8_t d[32] = {0}, sig[PB_SIG_MAX];
	size_t siglen;
	int found;

	sign_verify(t, "key0", PB_ALG_EC_P256);
	sign_verify(t, "key1", PB_ALG_RSA_2048);
	sim_tee_close(t);
	t = open_tee();
	/* the public half needs no PIN, the private one does */
	cr_assert_eq(sim_tee_public(t, "key0", &pub, &found, &e), 0, "%s", e.msg);
	cr_assert(found);
	cr_assert_eq(sim_tee_sign(t, "key0", PB_HASH_SHA256, d, 32, sig, sizeof sig, &siglen, &e), PB_EAUTH);
	cr_assert_eq(sim_tee_keygen(t, "key2", PB_ALG_EC_P256, 0, &e), PB_EAUTH);
	cr_assert_eq(sim_tee_public(t, "nokey", &pub, &found, &e), 0, "%s", e.msg);
	cr_assert_eq(found, 0);
	sim_tee_close(t);
}

Test(sim_tee, force_replaces_and_destroy_removes)
{
	sim_tee *t = ready();
	pb_pubkey a, b;
	pb_err e;
	int found;
	char p[PATH_MAX];

	cr_assert_eq(sim_tee_keygen(t, "key0", PB_ALG_EC_P256, 0, &e), 0, "%s", e.msg);
	cr_assert_eq(sim_tee_public(t, "key0", &a, &found, &e), 0, "%s", e.msg);
	cr_assert_eq(sim_tee_keygen(t, "key0", PB_ALG_EC_P256, 1, &e), 0, "%s", e.msg);
	cr_assert_eq(sim_tee_public(t, "key0", &b, &found, &e), 0, "%s", e.msg);
	cr_assert_not(pb_pubkey_equal(&a, &b));
	file_path("obj.1", p);
	cr_assert_not(pb_exists(p), "the replaced object file is gone");
	cr_assert_eq(sim_tee_destroy(t, "key0", &found, &e), 0, "%s", e.msg);
	cr_assert(found);
	file_path("obj.2", p);
	cr_assert_not(pb_exists(p));
	cr_assert_eq(sim_tee_public(t, "key0", &a, &found, &e), 0, "%s", e.msg);
	cr_assert_eq(found, 0);
	sim_tee_close(t);
}

Test(sim_tee, bit_flip_is_exit_5_and_touches_nothing)
{
	sim_tee *t = ready();
	pb_pubkey pub;
	pb_err e;
	uint8_t d[32] = {0}, sig[PB_SIG_MAX];
	size_t siglen;
	int found;
	char before[4096], after[4096];

	cr_assert_eq(sim_tee_keygen(t, "key0", PB_ALG_EC_P256, 0, &e), 0, "%s", e.msg);
	flip("obj.1", 60);
	snapshot(before, sizeof before);
	cr_assert_eq(sim_tee_public(t, "key0", &pub, &found, &e), PB_EVERIFY);
	cr_assert_eq(sim_tee_sign(t, "key0", PB_HASH_SHA256, d, 32, sig, sizeof sig, &siglen, &e), PB_EVERIFY);
	cr_assert(strstr(e.msg, "obj.1") != NULL, "%s", e.msg);
	snapshot(after, sizeof after);
	cr_assert_str_eq(before, after);
	sim_tee_close(t);
}

Test(sim_tee, an_old_object_file_put_back_is_exit_5)
{
	sim_tee *t = ready();
	pb_pubkey pub;
	pb_err e;
	int found;

	cr_assert_eq(sim_tee_keygen(t, "key0", PB_ALG_EC_P256, 0, &e), 0, "%s", e.msg);
	cp("obj.1", "old");
	cr_assert_eq(sim_tee_keygen(t, "key0", PB_ALG_EC_P256, 1, &e), 0, "%s", e.msg);
	cp("old", "obj.2");       /* the old key, authentic, under the new name */
	cr_assert_eq(sim_tee_public(t, "key0", &pub, &found, &e), PB_EVERIFY);
	cr_assert(strstr(e.msg, "not the one the index records") != NULL, "%s", e.msg);
	sim_tee_close(t);
}

Test(sim_tee, a_damaged_index_is_exit_5)
{
	sim_tee *t = ready();
	pb_pubkey pub;
	pb_err e;
	int found;

	flip("dirf.db", 40);
	cr_assert_eq(sim_tee_public(t, "key0", &pub, &found, &e), PB_EVERIFY);
	cr_assert(strstr(e.msg, "dirf.db") != NULL, "%s", e.msg);
	sim_tee_close(t);
}

Test(sim_tee, another_device_secret_reads_nothing)
{
	sim_tee *t = ready();
	pb_pubkey pub;
	pb_err e;
	int found;
	char p[PATH_MAX];
	uint8_t huk[32] = {1};

	cr_assert_eq(sim_tee_keygen(t, "key0", PB_ALG_EC_P256, 0, &e), 0, "%s", e.msg);
	sim_tee_close(t);
	file_path("huk", p);
	cr_assert_eq(pb_atomic_write(p, huk, sizeof huk, 0600, &e), 0);
	t = open_tee();
	cr_assert_eq(sim_tee_public(t, "key0", &pub, &found, &e), PB_EVERIFY);
	sim_tee_close(t);
}

static int count(void *ctx, const sim_tee_entry *k, pb_err *e)
{
	(void)e, (void)k;
	++*(int *)ctx;
	return 0;
}

Test(sim_tee, reset_wipes_every_key_and_the_token)
{
	sim_tee *t = ready();
	pb_pubkey pub;
	pb_err e;
	int found, n = 0;
	sim_tee_status st;

	cr_assert_eq(sim_tee_keygen(t, "key0", PB_ALG_EC_P256, 0, &e), 0, "%s", e.msg);
	cr_assert_eq(sim_tee_keygen(t, "key1", PB_ALG_EC_P256, 0, &e), 0, "%s", e.msg);
	cr_assert_eq(sim_tee_list(t, count, &n, &e), 0, "%s", e.msg);
	cr_assert_eq(n, 2);
	cr_assert_eq(sim_tee_reset(t, &e), 0, "%s", e.msg);
	cr_assert_eq(sim_tee_public(t, "key0", &pub, &found, &e), 0, "%s", e.msg);
	cr_assert_eq(found, 0);
	cr_assert_eq(sim_tee_status_get(t, &st, &e), 0, "%s", e.msg);
	cr_assert_eq(st.initialised, 0);
	cr_assert_eq(st.objects, 0);
	sim_tee_close(t);
}

Test(sim_tee, parsers_refuse_malformed_input)
{
	sim_tee_header h;
	sim_tee_index ix;
	sim_tee_object o;
	pb_err e;
	uint8_t buf[64] = "PBTEE";

	cr_assert_eq(sim_tee_header_parse(buf, 10, &h, &e), PB_EVERIFY);
	buf[6] = 'O', buf[7] = 1;
	cr_assert_eq(sim_tee_header_parse(buf, sizeof buf, &h, &e), PB_EVERIFY);
	cr_assert_eq(sim_tee_index_parse(buf, 0, &ix, &e), PB_EVERIFY);
	cr_assert_eq(sim_tee_object_parse(buf, 3, &o, &e), PB_EVERIFY);
}

typedef struct sign_job { sim_tee *t; pb_pubkey pub; int ok; } sign_job;

static void *sign_many(void *arg)
{
	sign_job *j = arg;
	uint8_t d[32], sig[PB_SIG_MAX];
	size_t siglen;
	pb_err e;

	for (int i = 0; i < 5; i++) {
		memset(d, i + 1, sizeof d);
		if (sim_tee_sign(j->t, "key0", PB_HASH_SHA256, d, 32, sig, sizeof sig, &siglen, &e) == 0 &&
		    pb_pubkey_verify(&j->pub, PB_HASH_SHA256, d, 32, sig, siglen))
			j->ok++;
	}
	return NULL;
}

/* The backend says HAL_CAP_SIGN_THREADSAFE: threads of a batch share it. */
Test(sim_tee, threads_sign_at_once)
{
	sim_tee *t = ready();
	pthread_t th[4];
	sign_job j[4];
	pb_pubkey pub;
	pb_err e;
	int found;

	cr_assert_eq(sim_tee_keygen(t, "key0", PB_ALG_EC_P256, 0, &e), 0, "%s", e.msg);
	cr_assert_eq(sim_tee_public(t, "key0", &pub, &found, &e), 0, "%s", e.msg);
	for (int i = 0; i < 4; i++) {
		j[i] = (sign_job){t, pub, 0};
		cr_assert_eq(pthread_create(&th[i], NULL, sign_many, &j[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		cr_assert_eq(j[i].ok, 5, "thread %d: %d of 5 signatures", i, j[i].ok);
	}
	sim_tee_close(t);
}
