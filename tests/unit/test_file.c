/* tests/unit/test_file.c - atomic writes, reads, the state directory. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/file.h"
#include "core/base/state.h"
#include "core/crypto/crypto.h"

static char dir[256];

static void mkdir_tmp(void)
{
	strcpy(dir, "/tmp/pb-unit-file.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void rm_tmp(void)
{
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(file, .init = mkdir_tmp, .fini = rm_tmp);

static int count_entries(const char *d)
{
	DIR *dp = opendir(d);
	struct dirent *de;
	int n = 0;
	while ((de = readdir(dp)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(dp);
	return n;
}

Test(file, atomic_write_creates_0600_and_replaces) {
	char p[300];
	struct stat sb;
	uint8_t *buf;
	size_t len;
	pb_err e;

	snprintf(p, sizeof p, "%s/state.bin", dir);
	cr_assert_eq(pb_atomic_write(p, "old", 3, 0600, &e), 0, "%s", e.msg);
	cr_assert_eq(pb_atomic_write(p, "newer", 5, 0600, &e), 0, "%s", e.msg);
	cr_assert_eq(stat(p, &sb), 0);
	cr_assert_eq(sb.st_mode & 0777, 0600);
	cr_assert_eq(pb_file_read(p, 100, &buf, &len, &e), 0);
	cr_assert_eq(len, 5);
	cr_assert_eq(memcmp(buf, "newer", 5), 0);
	cr_assert_eq(buf[len], 0, "reads are NUL-terminated");
	pb_file_free(buf, len);
	cr_assert_eq(count_entries(dir), 1, "no temporary file left behind");
}

Test(file, atomic_write_honours_public_mode) {
	char p[300];
	struct stat sb;
	pb_err e;

	snprintf(p, sizeof p, "%s/cert.pem", dir);
	cr_assert_eq(pb_atomic_write(p, "x", 1, 0644, &e), 0);
	cr_assert_eq(stat(p, &sb), 0);
	cr_assert_eq(sb.st_mode & 0777, 0644);
}

/* The write of the new content fails half-way (file size limit: applies
 * to root too, unlike directory permissions): the target keeps its old
 * content and no temporary file is left. */
Test(file, failed_write_keeps_old_content) {
	char p[300], big[4096];
	uint8_t *buf;
	size_t len;
	pb_err e;
	struct rlimit old, lim;

	snprintf(p, sizeof p, "%s/keep", dir);
	cr_assert_eq(pb_atomic_write(p, "old", 3, 0600, &e), 0);
	memset(big, 'n', sizeof big);
	cr_assert_eq(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = 100;   /* the temporary file gets 100 bytes, then EFBIG */
	signal(SIGXFSZ, SIG_IGN);
	cr_assert_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
	int rc = pb_atomic_write(p, big, sizeof big, 0600, &e);
	cr_assert_eq(setrlimit(RLIMIT_FSIZE, &old), 0);
	cr_assert_eq(rc, PB_EFAIL, "the write over the size limit succeeded");
	cr_assert_not_null(strstr(e.msg, "too large"), "%s", e.msg);
	cr_assert_eq(pb_file_read(p, 8192, &buf, &len, &e), 0, "%s", e.msg);
	cr_assert_eq(len, 3);
	cr_assert_eq(memcmp(buf, "old", 3), 0);
	pb_file_free(buf, len);
	cr_assert_eq(count_entries(dir), 1, "the temporary file was not removed");
}

Test(file, read_refuses_oversized_file) {
	char p[300], big[5000];
	uint8_t *buf;
	size_t len;
	pb_err e;

	memset(big, 'a', sizeof big);
	snprintf(p, sizeof p, "%s/big", dir);
	cr_assert_eq(pb_atomic_write(p, big, sizeof big, 0600, &e), 0);
	cr_assert_eq(pb_file_read(p, 4096, &buf, &len, &e), PB_EFAIL);
	cr_assert(strstr(e.msg, "larger than"));
	cr_assert_eq(pb_file_read(p, 8192, &buf, &len, &e), 0);
	cr_assert_eq(len, sizeof big);
	pb_file_free(buf, len);
}

Test(file, read_reports_missing_file) {
	uint8_t *buf;
	size_t len;
	pb_err e;
	cr_assert_eq(pb_file_read("/nonexistent/x", 10, &buf, &len, &e), PB_EFAIL);
	cr_assert(strstr(e.msg, "No such file"));
}

Test(file, remove_is_idempotent) {
	char p[300];
	pb_err e;
	snprintf(p, sizeof p, "%s/gone", dir);
	cr_assert_eq(pb_atomic_write(p, "x", 1, 0600, &e), 0);
	cr_assert_eq(pb_remove(p, &e), 0);
	cr_assert(!pb_exists(p));
	cr_assert_eq(pb_remove(p, &e), 0);
}

Test(file, state_dir_from_option_env_and_default) {
	pb_state st;
	pb_err e;
	char opt[300], env[300], path[PATH_MAX];
	struct stat sb;

	snprintf(opt, sizeof opt, "%s/a/b", dir);
	snprintf(env, sizeof env, "%s/env", dir);
	setenv("PROVBOX_STATE", env, 1);
	cr_assert_eq(pb_state_open(&st, opt, &e), 0, "%s", e.msg);
	cr_assert_str_eq(st.dir, opt, "--state wins over the environment");
	cr_assert_eq(stat(opt, &sb), 0);
	cr_assert_eq(sb.st_mode & 0777, 0700);
	cr_assert_eq(pb_state_open(&st, NULL, &e), 0);
	cr_assert_str_eq(st.dir, env);
	unsetenv("PROVBOX_STATE");
	cr_assert_eq(pb_state_path(&st, "tokens/device.p12", path, sizeof path, &e), 0);
	cr_assert(strstr(path, "/env/tokens/device.p12"));
}

Test(file, state_path_refuses_escapes) {
	pb_state st;
	pb_err e;
	char path[PATH_MAX];

	strcpy(st.dir, dir);
	cr_assert_eq(pb_state_path(&st, "../etc/passwd", path, sizeof path, &e), PB_EUSAGE);
	cr_assert_eq(pb_state_path(&st, "/etc/passwd", path, sizeof path, &e), PB_EUSAGE);
	cr_assert_eq(pb_state_subdir(&st, "tokens", path, sizeof path, &e), 0);
	cr_assert(pb_exists(path));
}

/* More than one 64 KiB read, and the same digest as hashing it in memory. */
Test(file, sha256_file_streams_and_names_a_missing_file)
{
	static uint8_t data[200000];
	uint8_t want[32], got[32];
	char path[300];
	pb_err e = {0};
	FILE *f;

	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(i * 7 + i / 251);
	snprintf(path, sizeof path, "%s/img", dir);
	f = fopen(path, "wb");
	cr_assert_not_null(f);
	cr_assert_eq(fwrite(data, 1, sizeof data, f), sizeof data);
	cr_assert_eq(fclose(f), 0);
	pb_hash_data(PB_HASH_SHA256, data, sizeof data, want);
	cr_assert_eq(pb_sha256_file(path, 0, got, &e), 0, "%s", e.msg);
	cr_assert_arr_eq(got, want, 32);

	snprintf(path, sizeof path, "%s/absent", dir);
	cr_assert_eq(pb_sha256_file(path, 1, got, &e), PB_EFAIL);
	cr_assert(strstr(e.msg, "absent") && strstr(e.msg, "No such file"), "%s", e.msg);
}
