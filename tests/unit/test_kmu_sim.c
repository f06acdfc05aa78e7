/* tests/unit/test_kmu_sim.c - sim/kmu directly: the file format, and
 * every rule the simulated KMU enforces by itself. Every refused
 * operation must leave STATE/kmu/slots byte-identical. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/base/file.h"
#include "core/crypto/crypto.h"
#include "sim/kmu.h"
#include "tmpdir_run.h"

static sim_kmu k;

static void mk_kmu(void)
{
	pb_err e;

	mk();
	cr_assert_eq(sim_kmu_open(&k, dir, &e), 0, "%s", e.msg);
}

TestSuite(kmu_sim, .init = mk_kmu, .fini = rm);

/* The file's bytes now (len 0: no file). */
typedef struct snap { uint8_t b[SIM_KMU_FILE_MAX]; size_t n; } snap;

static void take(snap *s)
{
	FILE *f = fopen(k.path, "rb");

	s->n = 0;
	if (f == NULL)
		return;
	s->n = fread(s->b, 1, sizeof s->b, f);
	fclose(f);
}

static void assert_unchanged(const snap *before)
{
	snap now;

	take(&now);
	cr_assert_eq(now.n, before->n, "state file changed size");
	cr_assert(memcmp(now.b, before->b, now.n) == 0, "state file changed");
}

/* Run a refused operation: its code and message, then the file is the same. */
#define REFUSED(code, needle, call) do { \
		snap s_; pb_err e_; int rc_; \
		take(&s_); \
		rc_ = (call); \
		cr_assert_eq(rc_, (code), "%s: got %d (%s)", #call, rc_, e_.msg); \
		cr_assert(strstr(e_.msg, (needle)) != NULL, "%s: message '%s' lacks '%s'", #call, e_.msg, needle); \
		assert_unchanged(&s_); \
	} while (0)
#define OK(call) do { pb_err e_; int rc_ = (call); cr_assert_eq(rc_, 0, "%s: %s", #call, e_.msg); } while (0)

static void provisioned(void)
{
	OK(sim_kmu_gen_huk(&k, &e_));
	OK(sim_kmu_gen_identity(&k, &e_));
}

Test(kmu_sim, blank_kmu_is_assembly_without_a_record) {
	int lc = -1, present = -1;

	OK(sim_kmu_lc_read(&k, &lc, &present, &e_));
	cr_assert_eq(lc, SIM_KMU_LC_ASSEMBLY);
	cr_assert_eq(present, 0);
	cr_assert(!pb_exists(k.path), "reading created the file");
}

Test(kmu_sim, huks_are_write_once_push_only_derive_only) {
	sim_kmu_image img;
	uint8_t v[64];
	size_t n;

	OK(sim_kmu_gen_huk(&k, &e_));
	OK(sim_kmu_load(&k, &img, &e_));
	for (unsigned s = SIM_KMU_MKEK; s < SIM_KMU_KIDENT; s++) {
		cr_assert(img.slot[s].used);
		cr_assert_eq(img.slot[s].flags, SIM_KMU_PUSH_ONLY | SIM_KMU_WRITE_ONCE);
		cr_assert_eq(img.slot[s].usage, SIM_KMU_USAGE_DERIVE);
		cr_assert_eq(img.slot[s].len, 16);
	}
	cr_assert(!img.slot[SIM_KMU_KIDENT].used);
	cr_assert(memcmp(img.slot[2].value, img.slot[4].value, 16) != 0, "MKEK == MEXT");
	sim_kmu_image_wipe(&img);

	REFUSED(PB_EFAIL, "HUKs already written", sim_kmu_gen_huk(&k, &e_));
	REFUSED(PB_EFAIL, "push-only", sim_kmu_read(&k, SIM_KMU_MKEK, v, sizeof v, &n, &e_));
	REFUSED(PB_EFAIL, "push-only", sim_kmu_read(&k, SIM_KMU_MEXT + 1, v, sizeof v, &n, &e_));
	/* the raw slot write of the hardware refuses too, not only gen-huk */
	memset(v, 0x55, sizeof v);
	REFUSED(PB_EFAIL, "write-once", sim_kmu_write(&k, SIM_KMU_MKEK, 2, 0, SIM_KMU_USAGE_DERIVE,
		SIM_KMU_TYPE_AES256, v, 32, &e_));
	REFUSED(PB_EFAIL, "write-once", sim_kmu_write(&k, SIM_KMU_MEXT + 1, 1, 0, SIM_KMU_USAGE_NONE,
		SIM_KMU_TYPE_DATA, v, 4, &e_));
}

Test(kmu_sim, sign_with_a_derive_only_key_is_refused) {
	uint8_t d[32] = {1}, sig[PB_SIG_MAX];
	size_t n;

	provisioned();
	REFUSED(PB_EFAIL, "derive-only", sim_kmu_sign(&k, SIM_KMU_MKEK, PB_HASH_SHA256, d, 32, sig,
		sizeof sig, &n, &e_));
	REFUSED(PB_EFAIL, "derive-only", sim_kmu_sign(&k, SIM_KMU_MEXT, PB_HASH_SHA256, d, 32, sig,
		sizeof sig, &n, &e_));
}

Test(kmu_sim, identity_needs_the_mkek_and_is_written_once) {
	snap before;

	REFUSED(PB_EFAIL, "MKEK missing", sim_kmu_gen_identity(&k, &e_));
	cr_assert(!pb_exists(k.path));
	OK(sim_kmu_gen_huk(&k, &e_));
	OK(sim_kmu_gen_identity(&k, &e_));
	take(&before);
	REFUSED(PB_EFAIL, "identity key already written", sim_kmu_gen_identity(&k, &e_));
	REFUSED(PB_EFAIL, "push-only", sim_kmu_read(&k, SIM_KMU_KIDENT, before.b, 64, &before.n, &e_));
}

Test(kmu_sim, identity_signs_and_verifies_with_its_public_key) {
	uint8_t d[32], sig[PB_SIG_MAX];
	size_t n;
	pb_pubkey pub;
	int found = 0;

	OK(sim_kmu_public(&k, SIM_KMU_KIDENT, &pub, &found, &e_));
	cr_assert_eq(found, 0);
	provisioned();
	OK(sim_kmu_public(&k, SIM_KMU_KIDENT, &pub, &found, &e_));
	cr_assert_eq(found, 1);
	cr_assert_eq(pub.alg, PB_ALG_EC_P256);
	cr_assert_eq(pub.qlen, 65);
	pb_hash_data(PB_HASH_SHA256, "nordic", 6, d);
	OK(sim_kmu_sign(&k, SIM_KMU_KIDENT, PB_HASH_SHA256, d, 32, sig, sizeof sig, &n, &e_));
	cr_assert(pb_pubkey_verify(&pub, PB_HASH_SHA256, d, 32, sig, n));
	d[0] ^= 1;
	cr_assert(!pb_pubkey_verify(&pub, PB_HASH_SHA256, d, 32, sig, n));
}

Test(kmu_sim, identity_is_stored_wrapped_not_in_clear) {
	sim_kmu_image img;

	provisioned();
	OK(sim_kmu_load(&k, &img, &e_));
	/* RFC 5649 of a 32-byte scalar: 40 bytes over the pair */
	cr_assert_eq(img.slot[6].len + img.slot[7].len, 40);
	cr_assert_eq(img.slot[6].usage, SIM_KMU_USAGE_SIGN);
	cr_assert_eq(img.slot[6].type, SIM_KMU_TYPE_P256_WRAPPED);
	/* flip one byte of the wrapped key: it no longer decrypts */
	img.slot[7].value[3] ^= 0x80;
	{
		uint8_t buf[SIM_KMU_FILE_MAX];
		size_t n;
		pb_pubkey pub;
		int found;

		OK(sim_kmu_serialize(&img, buf, sizeof buf, &n, &e_));
		OK(pb_atomic_write(k.path, buf, n, 0600, &e_));
		REFUSED(PB_EVERIFY, "does not decrypt", sim_kmu_public(&k, SIM_KMU_KIDENT, &pub, &found, &e_));
	}
	sim_kmu_image_wipe(&img);
}

Test(kmu_sim, data_slots_read_back_and_write_once_holds) {
	uint8_t v[8] = "abcdefg", out[64];
	size_t n;

	OK(sim_kmu_write(&k, 40, 1, 0, SIM_KMU_USAGE_NONE, SIM_KMU_TYPE_DATA, v, 8, &e_));
	OK(sim_kmu_read(&k, 40, out, sizeof out, &n, &e_));
	cr_assert_eq(n, 8);
	cr_assert(memcmp(out, v, 8) == 0);
	v[0] = 'X';   /* not write-once: may be replaced */
	OK(sim_kmu_write(&k, 40, 1, SIM_KMU_WRITE_ONCE, SIM_KMU_USAGE_NONE, SIM_KMU_TYPE_DATA, v, 8, &e_));
	REFUSED(PB_EFAIL, "write-once", sim_kmu_write(&k, 40, 1, 0, SIM_KMU_USAGE_NONE,
		SIM_KMU_TYPE_DATA, v, 8, &e_));
	REFUSED(PB_EFAIL, "slot 41 is empty", sim_kmu_read(&k, 41, out, sizeof out, &n, &e_));
	REFUSED(PB_EFAIL, "out of range", sim_kmu_read(&k, 128, out, sizeof out, &n, &e_));
	REFUSED(PB_EFAIL, "out of range", sim_kmu_write(&k, 127, 2, 0, 0, SIM_KMU_TYPE_DATA, v, 8, &e_));
	REFUSED(PB_EFAIL, "does not fit", sim_kmu_write(&k, 50, 1, 0, 0, SIM_KMU_TYPE_DATA, out, 33, &e_));
	REFUSED(PB_EFAIL, "does not fit", sim_kmu_write(&k, 50, 2, 0, 0, SIM_KMU_TYPE_DATA, out, 1, &e_));
	REFUSED(PB_EFAIL, "does not fit", sim_kmu_write(&k, 50, 2, 0, 0, SIM_KMU_TYPE_DATA, out, 65, &e_));
	OK(sim_kmu_write(&k, 50, 2, 0, 0, SIM_KMU_TYPE_DATA, out, 3, &e_));
	OK(sim_kmu_read(&k, 51, out, sizeof out, &n, &e_));
	cr_assert_eq(n, 1);
}

Test(kmu_sim, revoked_slots_stay_dead_until_eraseall) {
	uint8_t d[32] = {0}, sig[PB_SIG_MAX];
	size_t n;
	pb_pubkey before, after;
	int found;

	provisioned();
	OK(sim_kmu_public(&k, SIM_KMU_KIDENT, &before, &found, &e_));
	OK(sim_kmu_revoke(&k, SIM_KMU_KIDENT, 2, &e_));
	REFUSED(PB_EFAIL, "revoked", sim_kmu_sign(&k, SIM_KMU_KIDENT, PB_HASH_SHA256, d, 32, sig,
		sizeof sig, &n, &e_));
	REFUSED(PB_EFAIL, "revoked", sim_kmu_gen_identity(&k, &e_));
	OK(sim_kmu_public(&k, SIM_KMU_KIDENT, &after, &found, &e_));
	cr_assert_eq(found, 0, "a revoked key still has a public key");
	REFUSED(PB_EFAIL, "revoked", sim_kmu_write(&k, SIM_KMU_KIDENT, 1, 0, 0, SIM_KMU_TYPE_DATA, d, 4, &e_));

	OK(sim_kmu_erase_all(&k, &e_));
	OK(sim_kmu_public(&k, SIM_KMU_KIDENT, &after, &found, &e_));
	cr_assert_eq(found, 0);
	REFUSED(PB_EFAIL, "MKEK missing", sim_kmu_gen_identity(&k, &e_));
	provisioned();
	OK(sim_kmu_public(&k, SIM_KMU_KIDENT, &after, &found, &e_));
	cr_assert(!pb_pubkey_equal(&before, &after), "a new identity equals the erased one");
}

Test(kmu_sim, lifecycle_markers_only_set_one_step_at_a_time) {
	int lc, present;
	snap same;

	REFUSED(PB_EFAIL, "takes only provisioning", sim_kmu_lc_write(&k, SIM_KMU_LC_SECURED, &e_));
	OK(sim_kmu_lc_write(&k, SIM_KMU_LC_ASSEMBLY, &e_));
	OK(sim_kmu_lc_write(&k, SIM_KMU_LC_PROVISIONING, &e_));
	OK(sim_kmu_lc_read(&k, &lc, &present, &e_));
	cr_assert_eq(lc, SIM_KMU_LC_PROVISIONING);
	cr_assert_eq(present, 1);
	/* the same state again changes nothing, not even the file */
	take(&same);
	OK(sim_kmu_lc_write(&k, SIM_KMU_LC_PROVISIONING, &e_));
	assert_unchanged(&same);
	REFUSED(PB_EREFUSED, "only set", sim_kmu_lc_write(&k, SIM_KMU_LC_ASSEMBLY, &e_));
	OK(sim_kmu_lc_write(&k, SIM_KMU_LC_SECURED, &e_));
	OK(sim_kmu_lc_write(&k, SIM_KMU_LC_DECOMMISSIONED, &e_));
	OK(sim_kmu_lc_read(&k, &lc, &present, &e_));
	cr_assert_eq(lc, SIM_KMU_LC_DECOMMISSIONED);
	REFUSED(PB_EREFUSED, "only set", sim_kmu_lc_write(&k, SIM_KMU_LC_SECURED, &e_));
	/* ERASEALL is the way back, and it takes the keys with it */
	OK(sim_kmu_erase_all(&k, &e_));
	OK(sim_kmu_lc_read(&k, &lc, &present, &e_));
	cr_assert_eq(lc, SIM_KMU_LC_ASSEMBLY);
	cr_assert_eq(present, 0);
}

Test(kmu_sim, a_damaged_file_is_reported_and_left_alone) {
	snap s;
	FILE *f;
	int lc, present;

	provisioned();
	take(&s);
	s.b[s.n - 3] ^= 1;
	f = fopen(k.path, "wb");
	cr_assert_not_null(f);
	fwrite(s.b, 1, s.n, f);
	fclose(f);
	REFUSED(PB_EVERIFY, "checksum mismatch", sim_kmu_lc_read(&k, &lc, &present, &e_));
	REFUSED(PB_EVERIFY, "checksum mismatch", sim_kmu_gen_identity(&k, &e_));
	REFUSED(PB_EVERIFY, "checksum mismatch", sim_kmu_erase_all(&k, &e_));
	REFUSED(PB_EVERIFY, "slots", sim_kmu_lc_write(&k, 1, &e_));
}

/* ---- the parser on crafted files ---- */

static size_t craft(uint8_t *out, const uint8_t *body, size_t n)
{
	memcpy(out, "PBKMU\0\0\x01", 8);
	out[8] = 0, out[9] = 0, out[10] = (uint8_t)(n >> 8), out[11] = (uint8_t)n;
	pb_hash_data(PB_HASH_SHA256, body, n, out + 12);
	memcpy(out + SIM_KMU_HEADER, body, n);
	return SIM_KMU_HEADER + n;
}

static void parse_fails(const uint8_t *body, size_t n, const char *needle)
{
	uint8_t f[512];
	sim_kmu_image img;
	pb_err e;
	size_t len = craft(f, body, n);

	cr_assert_eq(sim_kmu_parse(f, len, &img, &e), PB_EVERIFY, "accepted, expected '%s'", needle);
	cr_assert(strstr(e.msg, needle), "'%s' lacks '%s'", e.msg, needle);
}

Test(kmu_format, round_trip) {
	sim_kmu_image a, b;
	uint8_t buf[SIM_KMU_FILE_MAX], v[40];
	size_t n;
	pb_err e;

	memset(&a, 0, sizeof a);
	for (size_t i = 0; i < sizeof v; i++)
		v[i] = (uint8_t)i;
	cr_assert_eq(sim_kmu_img_write(&a, 6, 2, SIM_KMU_PUSH_ONLY, SIM_KMU_USAGE_SIGN,
		SIM_KMU_TYPE_P256_WRAPPED, v, 40, &e), 0);
	cr_assert_eq(sim_kmu_img_write(&a, 127, 1, 0, 0, SIM_KMU_TYPE_DATA, v, 1, &e), 0);
	cr_assert_eq(sim_kmu_img_revoke(&a, 0, 1, &e), 0);
	cr_assert_eq(sim_kmu_img_lc_set(&a, 1, &e), 0);
	cr_assert_eq(sim_kmu_serialize(&a, buf, sizeof buf, &n, &e), 0);
	cr_assert_eq(sim_kmu_parse(buf, n, &b, &e), 0, "%s", e.msg);
	cr_assert(memcmp(&a, &b, sizeof a) == 0);
}

Test(kmu_format, rejects_what_the_kmu_never_writes) {
	uint8_t f[64];
	sim_kmu_image img;
	pb_err e;
	size_t n = craft(f, (const uint8_t[]){0, 0}, 2);

	cr_assert_eq(sim_kmu_parse(f, n, &img, &e), 0, "%s", e.msg);
	cr_assert_eq(sim_kmu_parse(f, n - 1, &img, &e), PB_EVERIFY);
	cr_assert_eq(sim_kmu_parse(f, 10, &img, &e), PB_EVERIFY);
	f[0] = 'X';
	cr_assert_eq(sim_kmu_parse(f, n, &img, &e), PB_EVERIFY);
	cr_assert(strstr(e.msg, "not a provbox KMU file"));

	parse_fails((const uint8_t[]){0}, 1, "body too short");
	parse_fails((const uint8_t[]){2, 0}, 2, "markers out of order");
	parse_fails((const uint8_t[]){5, 0}, 2, "markers out of order");
	parse_fails((const uint8_t[]){0, 1, 3, 0, 0, 3}, 6, "truncated");
	parse_fails((const uint8_t[]){0, 1, 128, 0, 0, 3, 1, 9}, 8, "out of range");
	parse_fails((const uint8_t[]){0, 2, 5, 0, 0, 3, 1, 9, 5, 0, 0, 3, 1, 9}, 14, "out of order");
	parse_fails((const uint8_t[]){0, 1, 5, 8, 0, 3, 1, 9}, 8, "unknown flags");
	parse_fails((const uint8_t[]){0, 1, 5, 0, 3, 3, 1, 9}, 8, "unknown flags");
	parse_fails((const uint8_t[]){0, 1, 5, 0, 0, 4, 1, 9}, 8, "unknown flags");
	parse_fails((const uint8_t[]){0, 1, 5, 0, 0, 3, 0}, 7, "length invalid");
	parse_fails((const uint8_t[]){0, 1, 5, 4, 0, 3, 1, 9}, 8, "length invalid");
	parse_fails((const uint8_t[]){0, 1, 5, 0, 0, 3, 33}, 7, "length invalid");
	parse_fails((const uint8_t[]){0, 1, 5, 0, 0, 3, 2, 9}, 8, "value truncated");
	parse_fails((const uint8_t[]){0, 1, 5, 0, 0, 3, 1, 9, 0}, 9, "trailing bytes");
}

Test(kmu_sim, temporary_files_of_killed_writers_are_removed_under_the_lock) {
	char stale[PATH_MAX + 16], other[PATH_MAX + 16];
	FILE *f;

	snprintf(stale, sizeof stale, "%s.tmp.AbC123", k.path);
	snprintf(other, sizeof other, "%s.tmp.keep", k.path);
	cr_assert_not_null(f = fopen(stale, "w"));
	fclose(f);
	cr_assert_not_null(f = fopen(other, "w"));
	fclose(f);
	OK(sim_kmu_lc_write(&k, SIM_KMU_LC_PROVISIONING, &e_));
	cr_assert(!pb_exists(stale), "stale temporary file left");
	cr_assert(pb_exists(other), "a file that is not ours was removed");
}

/* Processes writing different slots at once: the lock serializes the
 * read-modify-writes, so no write is lost. */
Test(kmu_sim, parallel_writers_lose_no_update) {
	enum { N = 12, ROUNDS = 5 };
	sim_kmu_image img;
	pid_t pid[N];

	for (int i = 0; i < N; i++) {
		pid[i] = fork();
		cr_assert_neq(pid[i], -1);
		if (pid[i] == 0) {
			pb_err e;
			uint8_t v[4] = {(uint8_t)i, 1, 2, 3};
			int bad = 0;

			for (int r = 0; r < ROUNDS; r++)
				bad |= sim_kmu_write(&k, (unsigned)(20 + i * ROUNDS + r), 1, 0, SIM_KMU_USAGE_NONE,
					SIM_KMU_TYPE_DATA, v, 4, &e) != 0;
			_exit(bad);
		}
	}
	for (int i = 0; i < N; i++) {
		int st;
		cr_assert_eq(waitpid(pid[i], &st, 0), pid[i]);
		cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "writer %d failed", i);
	}
	OK(sim_kmu_load(&k, &img, &e_));
	for (int s = 20; s < 20 + N * ROUNDS; s++)
		cr_assert(img.slot[s].used, "the write of slot %d was lost", s);
}
