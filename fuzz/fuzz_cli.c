/* fuzz/fuzz_cli.c - the option parser, key references, numbers and
 * lifecycle names on arbitrary argument vectors (NUL-separated). */
#include <string.h>

#include "core/cli.h"
#include "hal/hal.h"

static int on_opt(void *ctx, int id, const char *arg, pb_err *e)
{
	unsigned long long v;
	(void)ctx;
	if (id == 2)
		return pb_cli_uint("--days", arg, 1, 36500, &v, e);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const pb_option opts[] = {{"csr", 1, 1}, {"days", 1, 2}, {"create", 0, 3}, {NULL, 0, 0}};
	char buf[4096], *argv[65];
	int argc = 0;
	pb_cli cli;
	pb_err e;

	if (size >= sizeof buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[argc++] = "fuzz";
	for (size_t i = 0; i < size && argc < 64;) {
		argv[argc++] = buf + i;
		i += strlen(buf + i) + 1;
	}
	argv[argc] = NULL;
	for (int i = 1; i < argc; i++) {
		hal_key_ref r;
		hal_lifecycle lc;
		pb_alg alg;
		unsigned long long v;
		(void)hal_key_ref_parse(argv[i], &r, &e);
		(void)hal_lifecycle_parse(argv[i], &lc, &e);
		(void)pb_alg_parse(argv[i], &alg, &e);
		(void)pb_cli_uint("--n", argv[i], 0, ~0ull, &v, &e);
	}
	if (pb_cli_parse(&cli, "fuzz", argc, argv, opts, on_opt, NULL, &e) == 0 && cli.nargs > argc)
		__builtin_trap();
	return 0;
}
