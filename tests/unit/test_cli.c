/* tests/unit/test_cli.c - the shared option parser and subcommand dispatch. */
#include <criterion/criterion.h>
#include <string.h>

#include "core/base/cli.h"

enum { OPT_CSR = 1, OPT_DAYS, OPT_CREATE };

static const pb_option opts[] = {
	{"csr", 1, OPT_CSR},
	{"days", 1, OPT_DAYS},
	{"create", 0, OPT_CREATE},
	{NULL, 0, 0}
};

struct seen {
	int ncsr;
	const char *csr[4];
	unsigned long long days;
	int create;
};

static int on_opt(void *ctx, int id, const char *arg, pb_err *e)
{
	struct seen *s = ctx;
	switch (id) {
	case OPT_CSR: s->csr[s->ncsr++] = arg; return 0;
	case OPT_DAYS: return pb_cli_uint("--days", arg, 1, 36500, &s->days, e);
	case OPT_CREATE: s->create = 1; return 0;
	}
	return 1;
}


static int parse(pb_cli *cli, struct seen *s, char **argv, int argc, pb_err *e)
{
	memset(s, 0, sizeof *s);
	return pb_cli_parse(cli, "t", argc, argv, opts, on_opt, s, e);
}

Test(cli, shared_and_own_options_with_positionals) {
	pb_cli cli;
	struct seen s;
	pb_err e;
	char **argv; int argc;
	char *v[] = {"issue", "--csr", "a.csr", "pos1", "--out=o.crt", "--csr=b.csr", "--der",
		"--pin-fd", "3", "pos2", "--create", "--state", "/s", NULL};
	argv = v; argc = 13;

	cr_assert_eq(parse(&cli, &s, argv, argc, &e), 0, "%s", e.msg);
	cr_assert_eq(s.ncsr, 2);
	cr_assert_str_eq(s.csr[1], "b.csr");
	cr_assert_str_eq(cli.out, "o.crt");
	cr_assert_eq(cli.der, 1);
	cr_assert_eq(cli.pin_fd, 3);
	cr_assert_str_eq(cli.state_dir, "/s");
	cr_assert_eq(s.create, 1);
	cr_assert_eq(cli.nargs, 2);
	cr_assert_str_eq(cli.args[0], "pos1");
	cr_assert_str_eq(cli.args[1], "pos2");
}

Test(cli, double_dash_ends_options) {
	pb_cli cli;
	struct seen s;
	pb_err e;
	char *v[] = {"x", "--", "--der", "-", NULL};

	cr_assert_eq(parse(&cli, &s, v, 4, &e), 0);
	cr_assert_eq(cli.der, 0);
	cr_assert_eq(cli.nargs, 2);
	cr_assert_str_eq(cli.args[0], "--der");
	cr_assert_str_eq(cli.args[1], "-");
}

Test(cli, rejects_unknown_option) {
	pb_cli cli;
	struct seen s;
	pb_err e;
	char *v[] = {"x", "--bogus", NULL};
	cr_assert_eq(parse(&cli, &s, v, 2, &e), PB_EUSAGE);
	cr_assert(strstr(e.msg, "--bogus"));
}

Test(cli, rejects_short_option) {
	pb_cli cli;
	struct seen s;
	pb_err e;
	char *v[] = {"x", "-o", "f", NULL};
	cr_assert_eq(parse(&cli, &s, v, 3, &e), PB_EUSAGE);
}

Test(cli, rejects_missing_value) {
	pb_cli cli;
	struct seen s;
	pb_err e;
	char *v[] = {"x", "--out", NULL};
	cr_assert_eq(parse(&cli, &s, v, 2, &e), PB_EUSAGE);
	cr_assert(strstr(e.msg, "needs a value"));
}

Test(cli, rejects_value_on_flag) {
	pb_cli cli;
	struct seen s;
	pb_err e;
	char *v[] = {"x", "--der=yes", NULL};
	cr_assert_eq(parse(&cli, &s, v, 2, &e), PB_EUSAGE);
}

Test(cli, rejects_repeated_shared_option) {
	pb_cli cli;
	struct seen s;
	pb_err e;
	char *v[] = {"x", "--out", "a", "--out", "b", NULL};
	cr_assert_eq(parse(&cli, &s, v, 5, &e), PB_EUSAGE);
	cr_assert(strstr(e.msg, "twice"));
}

Test(cli, option_handler_errors_propagate) {
	pb_cli cli;
	struct seen s;
	pb_err e;
	char *v[] = {"x", "--days", "0", NULL};
	cr_assert_eq(parse(&cli, &s, v, 3, &e), PB_EUSAGE);
	cr_assert(strstr(e.msg, "out of range"));
}

Test(cli, uint_parsing_is_strict) {
	unsigned long long v;
	pb_err e;
	cr_assert_eq(pb_cli_uint("--n", "0x81000002", 0, 0xFFFFFFFF, &v, &e), 0);
	cr_assert_eq(v, 0x81000002ull);
	cr_assert_eq(pb_cli_uint("--n", "42", 0, 100, &v, &e), 0);
	cr_assert_eq(v, 42);
	cr_assert_eq(pb_cli_uint("--n", "-1", 0, 100, &v, &e), PB_EUSAGE);
	cr_assert_eq(pb_cli_uint("--n", " 1", 0, 100, &v, &e), PB_EUSAGE);
	cr_assert_eq(pb_cli_uint("--n", "1x", 0, 100, &v, &e), PB_EUSAGE);
	cr_assert_eq(pb_cli_uint("--n", "", 0, 100, &v, &e), PB_EUSAGE);
	cr_assert_eq(pb_cli_uint("--n", "0x", 0, 100, &v, &e), PB_EUSAGE);
	cr_assert_eq(pb_cli_uint("--n", "99999999999999999999999", 0, ~0ull, &v, &e), PB_EUSAGE);
}

static int ran;
static int run_a(int argc, char **argv, pb_err *e) { (void)e; ran = argc; cr_assert_str_eq(argv[0], "a"); return 0; }

Test(cli, subcommand_dispatch) {
	static const pb_subcmd cmds[] = {{"a", run_a}, {NULL, NULL}};
	pb_err e;
	char *v1[] = {"app", "a", "x", NULL};
	char *v2[] = {"app", "b", NULL};
	char *v3[] = {"app", NULL};

	cr_assert_eq(pb_subcmd_run("app", cmds, 3, v1, &e), 0);
	cr_assert_eq(ran, 2);
	cr_assert_eq(pb_subcmd_run("app", cmds, 2, v2, &e), PB_EUSAGE);
	cr_assert(strstr(e.msg, "unknown subcommand 'b'"));
	cr_assert_eq(pb_subcmd_run("app", cmds, 1, v3, &e), PB_EUSAGE);
}

Test(cli, nargs_bounds) {
	pb_cli cli;
	pb_err e;
	char *a[] = {"one", "two"};
	cli.args = a;
	cli.nargs = 2;
	cr_assert_eq(pb_cli_nargs(&cli, 1, 2, "FILE", &e), 0);
	cr_assert_eq(pb_cli_nargs(&cli, 3, 3, "FILE", &e), PB_EUSAGE);
	cr_assert_eq(pb_cli_nargs(&cli, 0, 1, "FILE", &e), PB_EUSAGE);
	cr_assert(strstr(e.msg, "'two'"));
}

Test(cli, lock_timeout_is_a_shared_option_in_range) {
	pb_cli cli;
	struct seen s;
	pb_err e;
	char *ok[] = {"x", "--lock-timeout", "0", NULL};
	char *eq[] = {"x", "--lock-timeout=86400", NULL};
	char *none[] = {"x", NULL};
	char *big[] = {"x", "--lock-timeout", "86401", NULL};
	char *neg[] = {"x", "--lock-timeout", "-1", NULL};
	char *twice[] = {"x", "--lock-timeout", "1", "--lock-timeout", "1", NULL};

	cr_assert_eq(parse(&cli, &s, none, 1, &e), 0);
	cr_assert_eq(cli.lock_timeout, -1);
	cr_assert_eq(parse(&cli, &s, ok, 3, &e), 0, "%s", e.msg);
	cr_assert_eq(cli.lock_timeout, 0);
	cr_assert_eq(parse(&cli, &s, eq, 2, &e), 0, "%s", e.msg);
	cr_assert_eq(cli.lock_timeout, 86400);
	cr_assert_eq(parse(&cli, &s, big, 3, &e), PB_EUSAGE);
	cr_assert(strstr(e.msg, "out of range"), "%s", e.msg);
	cr_assert_eq(parse(&cli, &s, neg, 3, &e), PB_EUSAGE);
	cr_assert_eq(parse(&cli, &s, twice, 5, &e), PB_EUSAGE);
	cr_assert(strstr(e.msg, "given twice"), "%s", e.msg);
}

Test(cli, shared_secret_sources) {
	pb_cli cli;
	struct seen s;
	pb_err e;
	pb_secret_src src;
	char *v[] = {"x", "--owner-auth-fd", "4", "--so-pin-file", "so.txt", "--new-pin-fd=5",
		"--pin-file", "pin.txt", NULL};

	cr_assert_eq(parse(&cli, &s, v, 8, &e), 0, "%s", e.msg);
	src = pb_cli_owner_auth_src(&cli);
	cr_assert_eq(src.fd, 4);
	cr_assert_str_eq(src.env, "PROVBOX_OWNER_AUTH");
	src = pb_cli_so_pin_src(&cli, "SO PIN");
	cr_assert_eq(src.fd, -1);
	cr_assert_str_eq(src.file, "so.txt");
	cr_assert_str_eq(src.env, "PROVBOX_SO_PIN");
	src = pb_cli_new_pin_src(&cli, "New PIN");
	cr_assert_eq(src.fd, 5);
	cr_assert_str_eq(src.env, "PROVBOX_NEW_PIN");
	cr_assert(src.confirm, "a new PIN from the tty is asked twice");
	src = pb_cli_pin_src(&cli, "PIN");
	cr_assert_str_eq(src.file, "pin.txt");
	cr_assert_eq(cli.new_pin_file, NULL);
}

Test(cli, shared_secret_sources_are_checked) {
	pb_cli cli;
	struct seen s;
	pb_err e;
	char *twice[] = {"x", "--so-pin-fd", "3", "--so-pin-fd", "4", NULL};
	char *bad[] = {"x", "--owner-auth-fd", "x3", NULL};
	char *file2[] = {"x", "--owner-auth-file", "a", "--owner-auth-file", "b", NULL};

	cr_assert_eq(parse(&cli, &s, twice, 5, &e), PB_EUSAGE);
	cr_assert_str_eq(e.msg, "--so-pin-fd given twice");
	cr_assert_eq(parse(&cli, &s, bad, 3, &e), PB_EUSAGE);
	cr_assert(strstr(e.msg, "--owner-auth-fd 'x3': not a number"), "%s", e.msg);
	cr_assert_eq(parse(&cli, &s, file2, 5, &e), PB_EUSAGE);
	cr_assert(strstr(e.msg, "twice"));
}
