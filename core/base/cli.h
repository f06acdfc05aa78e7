/* core/base/cli.h - the one option parser every applet uses.
 *
 * Like tpm2-tools, an option means the same thing in every applet. The
 * shared ones are parsed here into pb_cli; an applet adds its own with a
 * table and a handler. Long options only: "--name VALUE", "--name=VALUE";
 * "--" ends options; positional arguments may be mixed in and are kept
 * in order. Unknown options, missing values and repeated shared options
 * are usage errors (exit 2).
 */
#ifndef PB_CLI_H
#define PB_CLI_H

#include "core/base/err.h"
#include "core/base/secret.h"

typedef struct pb_cli {
	const char *applet;      /* for messages */
	const char *state_dir;   /* --state DIR */
	const char *tpm;         /* --tpm URI    (default "sim") */
	const char *tee;         /* --tee URI    (default "sim") */
	const char *kmu;         /* --kmu URI    (default "sim") */
	const char *key;         /* --key KEYREF */
	const char *out;         /* --out PATH */
	int der;                 /* --der */
	int json;                /* --json */
	int force;               /* --force */
	int pin_fd;              /* --pin-fd N   (-1 if not given) */
	const char *pin_file;    /* --pin-file PATH */
	int owner_auth_fd, so_pin_fd, new_pin_fd;            /* --owner-auth-fd N ... (-1) */
	const char *owner_auth_file, *so_pin_file, *new_pin_file;   /* --owner-auth-file PATH ... */
	long lock_timeout;       /* --lock-timeout SECONDS (-1 if not given;
	                          * parsing applies it with pb_lock_set_timeout) */
	char **args;             /* positional arguments */
	int nargs;
} pb_cli;

typedef struct pb_option {
	const char *name;        /* without "--" */
	int has_arg;             /* 1: takes a value */
	int id;                  /* handed to the applet's handler */
} pb_option;

/* Called for each applet-specific option (arg NULL when it takes none). */
typedef int (*pb_opt_handler)(void *ctx, int id, const char *arg, pb_err *e);

/* Parse argv[1..argc) (argv[0] names the applet or subcommand). Options
 * in opts (terminated by a NULL name) go to fn; the shared ones fill cli.
 * Positional arguments are compacted into argv and exposed as cli->args. */
int pb_cli_parse(pb_cli *cli, const char *applet, int argc, char **argv,
	const pb_option *opts, pb_opt_handler fn, void *ctx, pb_err *e);

/* Require between min and max positional arguments. */
int pb_cli_nargs(const pb_cli *cli, int min, int max, const char *what, pb_err *e);

/* Strict decimal or 0x-hex integer in [min, max]; exit 2 otherwise. */
int pb_cli_uint(const char *opt, const char *arg, unsigned long long min,
	unsigned long long max, unsigned long long *v, pb_err *e);

/* The secret sources of SPEC section 2, each fd / file / variable / tty:
 * the PIN (--pin-fd, --pin-file, $PROVBOX_PIN), the SO PIN (--so-pin-*,
 * $PROVBOX_SO_PIN), a new PIN (--new-pin-*, $PROVBOX_NEW_PIN; the tty asks
 * twice) and the TPM owner password (--owner-auth-*, $PROVBOX_OWNER_AUTH). */
pb_secret_src pb_cli_pin_src(const pb_cli *cli, const char *prompt);
pb_secret_src pb_cli_so_pin_src(const pb_cli *cli, const char *prompt);
pb_secret_src pb_cli_new_pin_src(const pb_cli *cli, const char *prompt);
pb_secret_src pb_cli_owner_auth_src(const pb_cli *cli);

/* A subcommand of an applet: argv[0] is its name. */
typedef struct pb_subcmd {
	const char *name;
	int (*run)(int argc, char **argv, pb_err *e);
} pb_subcmd;

/* argv[1] picks the subcommand (exit 2 if missing or unknown). */
int pb_subcmd_run(const char *applet, const pb_subcmd *cmds, int argc, char **argv, pb_err *e);

/* Describe mode, for `provbox --describe APPLET [SUBCOMMAND]`: the build
 * generates shell completion and checks from it, so they come from the very
 * tables the parser is handed. Once begun, pb_subcmd_run without a
 * subcommand prints "subcommand NAME" per entry, and pb_cli_parse prints
 * "option --NAME" (flag) or "option --NAME=" (takes a value) per option of
 * the applet's table, then "shared --NAME[=]" per shared one; both then fail
 * with PB_EUSAGE, so nothing after them runs. pb_cli_described() says
 * whether either did. */
void pb_cli_describe_begin(void);
int pb_cli_described(void);

#endif
