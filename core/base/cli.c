/* core/base/cli.c - the shared option parser; see cli.h. */
#include "core/base/cli.h"

#include "core/base/lock.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	OPT_STATE = -100, OPT_TPM, OPT_TEE, OPT_KMU, OPT_KEY, OPT_OUT,
	OPT_DER, OPT_JSON, OPT_FORCE, OPT_PIN_FD, OPT_PIN_FILE,
	OPT_OWNER_FD, OPT_OWNER_FILE, OPT_SO_FD, OPT_SO_FILE, OPT_NEW_FD, OPT_NEW_FILE, OPT_LOCK_TIMEOUT
};

static const pb_option shared[] = {
	{"state", 1, OPT_STATE},
	{"tpm", 1, OPT_TPM},
	{"tee", 1, OPT_TEE},
	{"kmu", 1, OPT_KMU},
	{"key", 1, OPT_KEY},
	{"out", 1, OPT_OUT},
	{"der", 0, OPT_DER},
	{"json", 0, OPT_JSON},
	{"force", 0, OPT_FORCE},
	{"pin-fd", 1, OPT_PIN_FD},
	{"pin-file", 1, OPT_PIN_FILE},
	{"owner-auth-fd", 1, OPT_OWNER_FD}, {"owner-auth-file", 1, OPT_OWNER_FILE},
	{"so-pin-fd", 1, OPT_SO_FD}, {"so-pin-file", 1, OPT_SO_FILE},
	{"new-pin-fd", 1, OPT_NEW_FD}, {"new-pin-file", 1, OPT_NEW_FILE},
	{"lock-timeout", 1, OPT_LOCK_TIMEOUT},
	{NULL, 0, 0}
};

/* 0: parse; 1: describe mode; 2: described something */
static int describe;

void pb_cli_describe_begin(void)
{
	describe = 1;
}

int pb_cli_described(void)
{
	return describe == 2;
}

static void describe_table(const char *kind, const pb_option *t)
{
	for (; t && t->name; t++)
		printf("%s --%s%s\n", kind, t->name, t->has_arg ? "=" : "");
}

static const pb_option *find(const pb_option *t, const char *name, size_t len)
{
	for (; t && t->name; t++)
		if (strlen(t->name) == len && memcmp(t->name, name, len) == 0)
			return t;
	return NULL;
}

static int set_once(const char **slot, const char *name, const char *v, pb_err *e)
{
	if (*slot)
		return pb_fail(e, PB_EUSAGE, "--%s given twice", name);
	*slot = v;
	return 0;
}

static int set_flag(int *slot, const char *name, pb_err *e)
{
	if (*slot)
		return pb_fail(e, PB_EUSAGE, "--%s given twice", name);
	*slot = 1;
	return 0;
}

static int set_fd(int *slot, const char *name, const char *arg, pb_err *e)
{
	unsigned long long v;
	char opt[32];

	if (*slot >= 0)
		return pb_fail(e, PB_EUSAGE, "--%s given twice", name);
	snprintf(opt, sizeof opt, "--%s", name);
	if (pb_cli_uint(opt, arg, 0, 1024, &v, e) != 0)
		return e->code;
	*slot = (int)v;
	return 0;
}

static int shared_opt(pb_cli *cli, const pb_option *o, const char *arg, pb_err *e)
{
	unsigned long long v;

	switch (o->id) {
	case OPT_STATE: return set_once(&cli->state_dir, o->name, arg, e);
	case OPT_TPM: return set_once(&cli->tpm, o->name, arg, e);
	case OPT_TEE: return set_once(&cli->tee, o->name, arg, e);
	case OPT_KMU: return set_once(&cli->kmu, o->name, arg, e);
	case OPT_KEY: return set_once(&cli->key, o->name, arg, e);
	case OPT_OUT: return set_once(&cli->out, o->name, arg, e);
	case OPT_DER: return set_flag(&cli->der, o->name, e);
	case OPT_JSON: return set_flag(&cli->json, o->name, e);
	case OPT_FORCE: return set_flag(&cli->force, o->name, e);
	case OPT_PIN_FILE: return set_once(&cli->pin_file, o->name, arg, e);
	case OPT_PIN_FD: return set_fd(&cli->pin_fd, o->name, arg, e);
	case OPT_OWNER_FILE: return set_once(&cli->owner_auth_file, o->name, arg, e);
	case OPT_OWNER_FD: return set_fd(&cli->owner_auth_fd, o->name, arg, e);
	case OPT_SO_FILE: return set_once(&cli->so_pin_file, o->name, arg, e);
	case OPT_SO_FD: return set_fd(&cli->so_pin_fd, o->name, arg, e);
	case OPT_NEW_FILE: return set_once(&cli->new_pin_file, o->name, arg, e);
	case OPT_NEW_FD: return set_fd(&cli->new_pin_fd, o->name, arg, e);
	case OPT_LOCK_TIMEOUT:
		if (cli->lock_timeout >= 0)
			return pb_fail(e, PB_EUSAGE, "--lock-timeout given twice");
		if (pb_cli_uint("--lock-timeout", arg, 0, PB_LOCK_TIMEOUT_MAX, &v, e) != 0)
			return e->code;
		cli->lock_timeout = (long)v;
		pb_lock_set_timeout((unsigned)v);
		return 0;
	}
	return pb_fail(e, PB_EUSAGE, "internal: unhandled option --%s", o->name);
}

int pb_cli_parse(pb_cli *cli, const char *applet, int argc, char **argv,
	const pb_option *opts, pb_opt_handler fn, void *ctx, pb_err *e)
{
	int npos = 0, only_pos = 0;

	memset(cli, 0, sizeof *cli);
	cli->applet = applet;
	cli->pin_fd = cli->owner_auth_fd = cli->so_pin_fd = cli->new_pin_fd = -1;
	cli->lock_timeout = -1;
	if (describe) {
		describe_table("option", opts);
		describe_table("shared", shared);
		describe = 2;
		return pb_fail(e, PB_EUSAGE, "described, not run");
	}
	for (int i = 1; i < argc; i++) {
		char *a = argv[i];
		const pb_option *o;
		const char *val = NULL, *eq;
		size_t nlen;
		int is_shared = 0;

		if (only_pos || a[0] != '-' || strcmp(a, "-") == 0) {
			argv[npos++] = a;   /* npos <= i: compaction in place is safe */
			continue;
		}
		if (strcmp(a, "--") == 0) {
			only_pos = 1;
			continue;
		}
		if (a[1] != '-')
			return pb_fail(e, PB_EUSAGE, "unknown option '%s' (options are long: --name)", a);
		eq = strchr(a + 2, '=');
		nlen = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
		o = find(opts, a + 2, nlen);
		if (o == NULL) {
			o = find(shared, a + 2, nlen);
			is_shared = 1;
		}
		if (o == NULL)
			return pb_fail(e, PB_EUSAGE, "unknown option '%.*s' (see --help)", (int)(nlen + 2), a);
		if (o->has_arg) {
			if (eq)
				val = eq + 1;
			else if (i + 1 < argc)
				val = argv[++i];
			else
				return pb_fail(e, PB_EUSAGE, "--%s needs a value", o->name);
		} else if (eq) {
			return pb_fail(e, PB_EUSAGE, "--%s takes no value", o->name);
		}
		if (is_shared ? shared_opt(cli, o, val, e) != 0 : fn(ctx, o->id, val, e) != 0)
			return e->code;
	}
	cli->args = argv;
	cli->nargs = npos;
	return 0;
}

int pb_cli_nargs(const pb_cli *cli, int min, int max, const char *what, pb_err *e)
{
	if (cli->nargs < min)
		return pb_fail(e, PB_EUSAGE, "missing %s (see --help)", what);
	if (cli->nargs > max)
		return pb_fail(e, PB_EUSAGE, "unexpected argument '%s' (see --help)", cli->args[max]);
	return 0;
}

int pb_cli_uint(const char *opt, const char *arg, unsigned long long min,
	unsigned long long max, unsigned long long *v, pb_err *e)
{
	char *end;
	int base = 10;
	const char *p = arg;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	if (!isxdigit((unsigned char)*p))
		return pb_fail(e, PB_EUSAGE, "%s '%s': not a number", opt, arg);
	errno = 0;
	*v = strtoull(p, &end, base);
	if (errno != 0 || *end != '\0')
		return pb_fail(e, PB_EUSAGE, "%s '%s': not a number", opt, arg);
	if (*v < min || *v > max)
		return pb_fail(e, PB_EUSAGE, "%s %s: out of range %llu..%llu", opt, arg, min, max);
	return 0;
}

pb_secret_src pb_cli_pin_src(const pb_cli *cli, const char *prompt)
{
	return (pb_secret_src){cli->pin_fd, cli->pin_file, "PROVBOX_PIN", prompt, 0};
}

pb_secret_src pb_cli_so_pin_src(const pb_cli *cli, const char *prompt)
{
	return (pb_secret_src){cli->so_pin_fd, cli->so_pin_file, "PROVBOX_SO_PIN", prompt, 0};
}

pb_secret_src pb_cli_new_pin_src(const pb_cli *cli, const char *prompt)
{
	return (pb_secret_src){cli->new_pin_fd, cli->new_pin_file, "PROVBOX_NEW_PIN", prompt, 1};
}

pb_secret_src pb_cli_owner_auth_src(const pb_cli *cli)
{
	return (pb_secret_src){cli->owner_auth_fd, cli->owner_auth_file, "PROVBOX_OWNER_AUTH",
		"TPM owner password", 0};
}

int pb_subcmd_run(const char *applet, const pb_subcmd *cmds, int argc, char **argv, pb_err *e)
{
	(void)applet;
	if (describe && argc < 2) {
		for (const pb_subcmd *c = cmds; c->name; c++)
			printf("subcommand %s\n", c->name);
		describe = 2;
		return pb_fail(e, PB_EUSAGE, "described, not run");
	}
	if (argc < 2)
		return pb_fail(e, PB_EUSAGE, "missing subcommand (see --help)");
	for (const pb_subcmd *c = cmds; c->name; c++)
		if (strcmp(c->name, argv[1]) == 0)
			return c->run(argc - 1, argv + 1, e);
	return pb_fail(e, PB_EUSAGE, "unknown subcommand '%s' (see --help)", argv[1]);
}
