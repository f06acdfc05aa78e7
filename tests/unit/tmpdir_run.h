/* tests/unit/tmpdir_run.h - a temporary directory per test and a way to
 * run the openssl CLI in it: shared by the X.509 / CSR / ESL tests. */
#ifndef PB_TEST_TMPDIR_RUN_H
#define PB_TEST_TMPDIR_RUN_H

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

static char dir[64];
static inline void mk(void) { strcpy(dir, "/tmp/pb-unit-x509.XXXXXX"); cr_assert_not_null(mkdtemp(dir)); }
static inline void rm(void) { char c[128]; snprintf(c, sizeof c, "rm -rf %s", dir); cr_assert_eq(system(c), 0); }

static inline const char *path(const char *file)
{
	static char p[4][128];
	static int i;
	i = (i + 1) % 4;
	snprintf(p[i], sizeof p[i], "%s/%s", dir, file);
	return p[i];
}

static inline void put_file(const char *file, const uint8_t *d, size_t n)
{
	FILE *f = fopen(path(file), "wb");
	cr_assert_not_null(f);
	cr_assert_eq(fwrite(d, 1, n, f), n);
	fclose(f);
}

/* Run a shell command in dir; its stdout+stderr into out; exit status. */
static inline int run(char *out, size_t cap, const char *fmt, ...)
{
	char cmd[1024], full[1200];
	va_list ap;
	FILE *p;
	size_t n = 0;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	snprintf(full, sizeof full, "cd %s && { %s; } 2>&1", dir, cmd);
	p = popen(full, "r");
	cr_assert_not_null(p);
	if (out) {
		n = fread(out, 1, cap - 1, p);
		out[n] = '\0';
	} else {
		char sink[4096];
		while (fread(sink, 1, sizeof sink, p) > 0)
			;
	}
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Read dir/file into buf; returns its length. */
static inline size_t get_file(const char *file, uint8_t *buf, size_t cap)
{
	FILE *f = fopen(path(file), "rb");
	size_t n;
	cr_assert_not_null(f, "%s", file);
	n = fread(buf, 1, cap, f);
	fclose(f);
	cr_assert(n < cap, "%s too big", file);
	return n;
}

#endif
