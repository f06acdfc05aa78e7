/* tests/unit/test_secret.c - secret sources, wiping, constant-time compare. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/base/secret.h"

static pb_secret_src src_none(void)
{
	pb_secret_src s = {.fd = -1, .file = NULL, .env = "PB_TEST_PIN", .prompt = "PIN", .confirm = 0};
	unsetenv("PB_TEST_PIN");
	return s;
}

static int pipe_with(const char *text)
{
	int p[2];
	cr_assert_eq(pipe(p), 0);
	cr_assert_eq(write(p[1], text, strlen(text)), (ssize_t)strlen(text));
	close(p[1]);
	return p[0];
}

Test(secret, reads_one_line_from_fd) {
	pb_secret s;
	pb_err e;
	pb_secret_src src = src_none();

	src.fd = pipe_with("1234\nsecond\n");
	cr_assert_eq(pb_secret_read(&s, &src, &e), 0, "%s", e.msg);
	cr_assert_eq(s.len, 4);
	cr_assert_eq(memcmp(s.buf, "1234", 4), 0);
	/* the next line is still there for a second secret */
	cr_assert_eq(pb_secret_read(&s, &src, &e), 0);
	cr_assert_eq(s.len, 6);
	cr_assert_eq(memcmp(s.buf, "second", 6), 0);
	close(src.fd);
	pb_secret_wipe(&s);
}

Test(secret, strips_crlf_and_keeps_inner_spaces) {
	pb_secret s;
	pb_err e;
	pb_secret_src src = src_none();

	src.fd = pipe_with("a b\r\n");
	cr_assert_eq(pb_secret_read(&s, &src, &e), 0);
	cr_assert_eq(s.len, 3);
	cr_assert_eq(memcmp(s.buf, "a b", 3), 0);
	close(src.fd);
}

Test(secret, reads_file_without_newline) {
	char path[] = "/tmp/pb-unit-pin.XXXXXX";
	int fd = mkstemp(path);
	pb_secret s;
	pb_err e;
	pb_secret_src src = src_none();

	cr_assert_eq(write(fd, "trustme", 7), 7);
	close(fd);
	src.file = path;
	cr_assert_eq(pb_secret_read(&s, &src, &e), 0);
	cr_assert_eq(s.len, 7);
	unlink(path);
}

Test(secret, env_is_read_then_wiped_and_unset) {
	pb_secret s;
	pb_err e;
	pb_secret_src src = src_none();

	setenv("PB_TEST_PIN", "from-env", 1);
	char *v = getenv("PB_TEST_PIN");
	cr_assert_eq(pb_secret_read(&s, &src, &e), 0);
	cr_assert_eq(s.len, 8);
	cr_assert_eq(memcmp(s.buf, "from-env", 8), 0);
	cr_assert_null(getenv("PB_TEST_PIN"));
	cr_assert_eq(v[0], 0, "the environment copy was wiped");
}

Test(secret, fd_wins_over_file_and_env) {
	pb_secret s;
	pb_err e;
	pb_secret_src src = src_none();

	setenv("PB_TEST_PIN", "env", 1);
	src.file = "/nonexistent";
	src.fd = pipe_with("fd\n");
	cr_assert_eq(pb_secret_read(&s, &src, &e), 0);
	cr_assert_eq(s.len, 2);
	close(src.fd);
	unsetenv("PB_TEST_PIN");
}

Test(secret, no_source_without_tty_is_usage_error) {
	pb_secret s;
	pb_err e;
	pb_secret_src src = src_none();
	int devnull = open("/dev/null", O_RDONLY);
	int saved = dup(0);

	dup2(devnull, 0);
	cr_assert_eq(pb_secret_read(&s, &src, &e), PB_EUSAGE);
	cr_assert(strstr(e.msg, "--pin-fd"));
	dup2(saved, 0);
	close(devnull);
	close(saved);
}

Test(secret, refuses_overlong_secret) {
	char big[PB_SECRET_MAX + 10];
	pb_secret s;
	pb_err e;
	pb_secret_src src = src_none();

	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = 0;
	src.fd = pipe_with(big);
	cr_assert_eq(pb_secret_read(&s, &src, &e), PB_EUSAGE);
	cr_assert_eq(s.len, 0);
	close(src.fd);
}

Test(secret, wipe_clears_buffer) {
	pb_secret s;
	pb_err e;
	static const uint8_t zero[PB_SECRET_MAX];

	cr_assert_eq(pb_secret_set(&s, "trustme", &e), 0);
	pb_secret_wipe(&s);
	cr_assert_eq(s.len, 0);
	cr_assert_eq(memcmp(s.buf, zero, sizeof zero), 0);
}

Test(secret, constant_time_compare) {
	pb_secret a, b;
	pb_err e;

	cr_assert(pb_ct_equal("abc", "abc", 3));
	cr_assert(!pb_ct_equal("abc", "abd", 3));
	cr_assert(pb_ct_equal("", "x", 0));
	pb_secret_set(&a, "1234", &e);
	pb_secret_set(&b, "1234", &e);
	cr_assert(pb_secret_equal(&a, &b));
	pb_secret_set(&b, "12345", &e);
	cr_assert(!pb_secret_equal(&a, &b));
	pb_secret_set(&b, "1235", &e);
	cr_assert(!pb_secret_equal(&a, &b));
}
