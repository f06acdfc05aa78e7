/* applets/token.c - the PIN-protected softtoken (SPEC section 3).
 *
 * Thin: options and PINs here, everything else in core/token/token.c (files,
 * PIN attempts and back-off, PKCS#12, container key wrapping).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/base/applet.h"
#include "core/base/cli.h"
#include "core/base/file.h"
#include "core/base/json.h"
#include "core/asn1/name.h"
#include "core/token/token.h"
#include "core/pki/x509.h"
#include "core/lifecycle/lifecycle.h"
#include "hal/hal_cli.h"

static const char help[] =
	"Usage: token create [--name N] [--dev] [--alg ALG] [--force]\n"
	"       token unlock [--name N]\n"
	"       token change-pin [--name N] [--new-pin-fd N | --new-pin-file PATH]\n"
	"       token wrap --name CONTAINER [--token N] [--force]\n"
	"       token unwrap --name CONTAINER [--token N] [--out-fd N | --out PATH] [--hex]\n"
	"       token import P12 [--name N] [--force]\n"
	"       token remove [--name N] [--force]\n"
	"       token list [--json]\n"
	"\n"
	"The softtoken: a key pair and a self-signed certificate in a PKCS#12 file\n"
	"STATE/tokens/N.p12 (default N: device) protected by a PIN, as OpenSSL 3 writes it\n"
	"(PBES2, PBKDF2-HMAC-SHA256, AES-256-CBC, SHA-256 MAC, 2048 iterations): it opens\n"
	"with `openssl pkcs12 -in tokens/N.p12`, and a file re-exported by openssl still\n"
	"works. Container keys are random 256-bit keys stored AES-key-wrapped (RFC 5649)\n"
	"in STATE/tokens/N.containers/CONTAINER.wrap under a secret derived from the\n"
	"token's private key: W = HKDF-SHA256(IKM = the key as DER PKCS#8, as `openssl\n"
	"pkcs8 -topk8 -nocrypt -outform DER` writes it, info \"provbox token wrap secret\n"
	"v1\"), and per container HKDF-SHA256(IKM = W, info \"provbox container key v1\n"
	"CONTAINER\"); a PIN change or re-export keeps them readable. --token N names the\n"
	"token in every subcommand but list (for wrap/unwrap --name is the container).\n"
	"\n"
	"PINs come from --pin-fd N, --pin-file PATH, $PROVBOX_PIN or the terminal; the new\n"
	"one of change-pin from --new-pin-fd, --new-pin-file, $PROVBOX_NEW_PIN or the\n"
	"terminal (asked twice). PINs have 4 characters at least. Wrong PINs are counted\n"
	"(exit 4); after 3 in a row each attempt waits 1, 2, 4 ... 60 s; a right PIN resets\n"
	"the count, which survives restarts. A damaged token file is exit 5; a file changed\n"
	"outside provbox (re-exported by openssl) is adopted by the first right PIN, and\n"
	"until then a wrong PIN cannot be told from damage: exit 5 too.\n"
	"create, import and remove are provisioning steps: they ask the lifecycle gate\n"
	"(the TPM of --tpm) first and are exit 3 once the device is secured.\n"
	"One operation on a token at a time: another waits for its lock (STATE/tokens/N.lock)\n"
	"up to --lock-timeout seconds (default 30), then exit 1.\n"
	"\n"
	"  create        new EC P-256 (or --alg) key pair and certificate \"/CN=provbox token N\";\n"
	"                --dev without a PIN source uses the development PIN trustme (warned)\n"
	"  unlock        check the PIN (exit 4 if wrong)\n"
	"  change-pin    re-protect under a new PIN; atomic (a crash leaves the old or the new)\n"
	"  wrap          make a random container key and store it wrapped (--force replaces)\n"
	"  unwrap        the container key: raw bytes to stdout, --out-fd N or --out PATH\n"
	"                (0600), or --hex; exit 5 if not wrapped by this token\n"
	"  import        replace the token by the key and certificate of a PKCS#12 file whose\n"
	"                password (the PIN sources) becomes the PIN (a provisioning step)\n"
	"  remove        delete the token and, with --force, its wrapped keys (provisioning)\n"
	"  list          tokens, failed-PIN counts, containers (no PIN needed)\n"
	"\n"
	"Example: token create --dev\n"
	"Example: PROVBOX_PIN=trustme PROVBOX_NEW_PIN=s3cret-pin token change-pin\n"
	"Example: token unlock --pin-file /run/pin\n"
	"Example: token wrap --name rootfs --pin-fd 3 3</run/pin\n"
	"Example: token unwrap --name rootfs --pin-fd 3 --out-fd 4 3</run/pin 4>/run/rootfs.key\n"
	"Example: token import own.p12 --force --pin-file own.pass\n"
	"Example: token remove --force\n"
	"Example: token list --json\n";

enum { O_NAME = 1, O_TOKEN, O_DEV, O_ALG, O_OUT_FD, O_HEX };

static const pb_option opts_create[] = {
	{"name", 1, O_NAME}, {"token", 1, O_TOKEN}, {"dev", 0, O_DEV}, {"alg", 1, O_ALG}, {NULL, 0, 0}
};
static const pb_option opts_token[] = {{"name", 1, O_NAME}, {"token", 1, O_TOKEN}, {NULL, 0, 0}};
static const pb_option opts_unwrap[] = {
	{"name", 1, O_NAME}, {"token", 1, O_TOKEN}, {"out-fd", 1, O_OUT_FD}, {"hex", 0, O_HEX}, {NULL, 0, 0}
};
static const pb_option opts_none[] = {{NULL, 0, 0}};

typedef struct tok_opts {
	const char *name, *token, *alg;
	int dev, hex, out_fd;
} tok_opts;

static int once(const char **slot, const char *opt, const char *arg, pb_err *e)
{
	if (*slot)
		return pb_fail(e, PB_EUSAGE, "--%s given twice", opt);
	*slot = arg;
	return 0;
}

static int fd_once(int *slot, const char *opt, const char *arg, pb_err *e)
{
	unsigned long long v;

	if (*slot >= 0)
		return pb_fail(e, PB_EUSAGE, "%s given twice", opt);
	if (pb_cli_uint(opt, arg, 0, 1024, &v, e) != 0)
		return e->code;
	*slot = (int)v;
	return 0;
}

static int on_option(void *ctx, int id, const char *arg, pb_err *e)
{
	tok_opts *o = ctx;

	switch (id) {
	case O_NAME: return once(&o->name, "name", arg, e);
	case O_TOKEN: return once(&o->token, "token", arg, e);
	case O_ALG: return once(&o->alg, "alg", arg, e);
	case O_OUT_FD: return fd_once(&o->out_fd, "--out-fd", arg, e);
	case O_DEV: o->dev = 1; return 0;
	case O_HEX: o->hex = 1; return 0;
	}
	return pb_fail(e, PB_EUSAGE, "internal: unhandled option");
}

static int parse(int argc, char **argv, const pb_option *table, int nargs, pb_cli *cli,
	tok_opts *o, pb_err *e)
{
	memset(o, 0, sizeof *o);
	o->out_fd = -1;
	if (pb_cli_parse(cli, "token", argc, argv, table, on_option, o, e) != 0 ||
	    pb_cli_nargs(cli, nargs, nargs, "PKCS#12 file", e) != 0)
		return e->code;
	return 0;
}

/* The token a subcommand acts on: --token or --name (for wrap/unwrap
 * --name is the container, so only --token). */
static int open_token(const pb_cli *cli, const tok_opts *o, int name_is_token, pb_token *t, pb_err *e)
{
	pb_state st;
	const char *n = o->token;

	if (name_is_token && o->name) {
		if (o->token && strcmp(o->token, o->name) != 0)
			return pb_fail(e, PB_EUSAGE, "--name and --token name different tokens");
		n = o->name;
	}
	if (pb_state_open(&st, cli->state_dir, e) != 0)
		return e->code;
	return pb_token_init(t, &st, n ? n : PB_TOKEN_DEFAULT_NAME, e);
}

/* The token for an operation allowed only in provisioning mode (create,
 * import, remove): the one place where the lifecycle gate is asked. */
static int provisioning_token(const pb_cli *cli, const tok_opts *o, const char *what, pb_token *t,
	pb_err *e)
{
	hal_open_opts ho;
	hal_cli_auth auth;
	int rc;

	hal_opts_from_cli(cli, &ho, &auth);
	rc = pb_lc_gate(&ho, what, e);
	hal_cli_auth_wipe(&auth);
	return rc != 0 ? rc : open_token(cli, o, 1, t, e);
}

static int read_pin(const pb_cli *cli, const char *prompt, int confirm, pb_secret *pin, pb_err *e)
{
	pb_secret_src src = pb_cli_pin_src(cli, prompt);

	src.confirm = confirm;
	if (pb_secret_read(pin, &src, e) != 0)
		return pb_err_prefix(e, "PIN");
	return 0;
}

/* "ec-p256 key, certificate /CN=..." for messages */
static void describe(const pb_token_keys *k, char *out, size_t cap)
{
	char subject[256] = "?";
	pb_x509 x;
	pb_err e;

	if (pb_x509_parse(k->cert, k->cert_len, &x, &e) == 0)
		pb_name_to_text(x.subject, x.subject_len, subject, sizeof subject, &e);
	snprintf(out, cap, "%s key, certificate %s", pb_alg_name(k->key.alg), subject);
}

static int cmd_create(int argc, char **argv, pb_err *e)
{
	pb_cli cli;
	tok_opts o;
	pb_token t;
	pb_secret pin;
	pb_secret_src src;
	pb_alg alg = PB_ALG_EC_P256;
	int rc, dev_pin;

	if (parse(argc, argv, opts_create, 0, &cli, &o, e) != 0 ||
	    (o.alg && pb_alg_parse(o.alg, &alg, e) != 0) || provisioning_token(&cli, &o, "create", &t, e) != 0)
		return e->code;
	src = pb_cli_pin_src(&cli, "New token PIN");
	dev_pin = o.dev && !pb_secret_given(&src);
	if (dev_pin)
		pb_secret_set(&pin, PB_TOKEN_DEV_PIN, e);
	else if (read_pin(&cli, "New token PIN", 1, &pin, e) != 0)
		return e->code;
	rc = pb_token_create(&t, &pin, alg, cli.force, e);
	pb_secret_wipe(&pin);
	pb_token_close(&t);
	if (rc != 0)
		return rc;
	printf("token %s created: %s (%s key)\n", t.name, t.p12, pb_alg_name(alg));
	if (dev_pin)
		pb_warn("token", "development token: the PIN is the default '%s' (token change-pin "
			"sets another)", PB_TOKEN_DEV_PIN);
	return 0;
}

static int cmd_unlock(int argc, char **argv, pb_err *e)
{
	pb_cli cli;
	tok_opts o;
	pb_token t;
	pb_secret pin;
	pb_token_keys k;
	char what[400];
	int rc;

	if (parse(argc, argv, opts_token, 0, &cli, &o, e) != 0 || open_token(&cli, &o, 1, &t, e) != 0 ||
	    read_pin(&cli, "Token PIN", 0, &pin, e) != 0)
		return e->code;
	rc = pb_token_unlock(&t, &pin, &k, e);
	pb_secret_wipe(&pin);
	pb_token_close(&t);
	if (rc == 0) {
		describe(&k, what, sizeof what);
		printf("token %s: PIN correct (%s)\n", t.name, what);
	}
	pb_token_keys_wipe(&k);
	return rc;
}

static int cmd_change_pin(int argc, char **argv, pb_err *e)
{
	pb_cli cli;
	tok_opts o;
	pb_token t;
	pb_secret pin, new_pin;
	pb_secret_src src;
	int rc;

	if (parse(argc, argv, opts_token, 0, &cli, &o, e) != 0 || open_token(&cli, &o, 1, &t, e) != 0 ||
	    read_pin(&cli, "Token PIN", 0, &pin, e) != 0)
		return e->code;
	src = pb_cli_new_pin_src(&cli, "New token PIN");
	if (pb_secret_read(&new_pin, &src, e) != 0) {
		pb_secret_wipe(&pin);
		return pb_err_prefix(e, "new PIN");
	}
	rc = pb_token_change_pin(&t, &pin, &new_pin, e);
	pb_secret_wipe(&pin);
	pb_secret_wipe(&new_pin);
	pb_token_close(&t);
	if (rc == 0)
		printf("token %s: PIN changed\n", t.name);
	return rc;
}

static int container_args(int argc, char **argv, const pb_option *table, pb_cli *cli, tok_opts *o,
	pb_token *t, pb_secret *pin, pb_err *e)
{
	if (parse(argc, argv, table, 0, cli, o, e) != 0)
		return e->code;
	if (o->name == NULL)
		return pb_fail(e, PB_EUSAGE, "--name CONTAINER is required");
	if (pb_token_name_check("container name", o->name, e) != 0 || open_token(cli, o, 0, t, e) != 0)
		return e->code;
	return read_pin(cli, "Token PIN", 0, pin, e);
}

static int cmd_wrap(int argc, char **argv, pb_err *e)
{
	pb_cli cli;
	tok_opts o;
	pb_token t;
	pb_secret pin;
	int rc;

	if (container_args(argc, argv, opts_token, &cli, &o, &t, &pin, e) != 0)
		return e->code;
	rc = pb_container_wrap(&t, &pin, o.name, cli.force, e);
	pb_secret_wipe(&pin);
	pb_token_close(&t);
	if (rc == 0)
		printf("container key %s wrapped under token %s: %s/%s.wrap\n", o.name, t.name,
			t.containers, o.name);
	return rc;
}

/* The key as raw bytes or hex, to --out-fd, --out or stdout. */
static int emit_key(const pb_cli *cli, const tok_opts *o, const uint8_t *key, pb_err *e)
{
	char hex[2 * PB_CONTAINER_KEY_LEN + 2];
	const void *data = key;
	size_t len = PB_CONTAINER_KEY_LEN;
	int rc;

	if (o->hex) {
		for (size_t i = 0; i < PB_CONTAINER_KEY_LEN; i++)
			snprintf(hex + 2 * i, 3, "%02x", key[i]);
		hex[2 * PB_CONTAINER_KEY_LEN] = '\n';
		data = hex;
		len = sizeof hex - 1;
	}
	if (o->out_fd >= 0)
		rc = pb_write_fd(o->out_fd, data, len, e);
	else
		rc = pb_write_output(cli->out, data, len, 0600, e);
	explicit_bzero(hex, sizeof hex);
	return rc;
}

static int cmd_unwrap(int argc, char **argv, pb_err *e)
{
	pb_cli cli;
	tok_opts o;
	pb_token t;
	pb_secret pin;
	uint8_t key[PB_CONTAINER_KEY_LEN];
	int rc;

	if (container_args(argc, argv, opts_unwrap, &cli, &o, &t, &pin, e) != 0)
		return e->code;
	if (o.out_fd >= 0 && cli.out)
		rc = pb_fail(e, PB_EUSAGE, "--out and --out-fd: give one");
	else if (!o.hex && o.out_fd < 0 && cli.out == NULL && isatty(STDOUT_FILENO))
		rc = pb_fail(e, PB_EUSAGE, "not writing a raw key to a terminal: use --hex, --out or --out-fd");
	else
		rc = pb_container_unwrap(&t, &pin, o.name, key, e);
	pb_secret_wipe(&pin);
	pb_token_close(&t);
	if (rc == 0)
		rc = emit_key(&cli, &o, key, e);
	explicit_bzero(key, sizeof key);
	return rc;
}

static int cmd_import(int argc, char **argv, pb_err *e)
{
	pb_cli cli;
	tok_opts o;
	pb_token t;
	pb_secret pin;
	uint8_t *buf;
	size_t len;
	int rc;

	if (parse(argc, argv, opts_token, 1, &cli, &o, e) != 0 ||
	    provisioning_token(&cli, &o, "import", &t, e) != 0)
		return e->code;
	if (pb_file_read(cli.args[0], PB_FILE_MAX, &buf, &len, e) != 0)
		return e->code;
	if ((rc = read_pin(&cli, "PKCS#12 password (the new token PIN)", 0, &pin, e)) == 0) {
		rc = pb_token_import(&t, buf, len, &pin, cli.force, e);
		pb_secret_wipe(&pin);
	}
	pb_file_free(buf, len);
	pb_token_close(&t);
	if (rc != 0)
		return pb_err_prefix(e, "import %s", cli.args[0]);
	printf("token %s imported from %s\n", t.name, cli.args[0]);
	return 0;
}

static int cmd_remove(int argc, char **argv, pb_err *e)
{
	pb_cli cli;
	tok_opts o;
	pb_token t;
	int rc;

	if (parse(argc, argv, opts_token, 0, &cli, &o, e) != 0 ||
	    provisioning_token(&cli, &o, "remove", &t, e) != 0)
		return e->code;
	rc = pb_token_remove(&t, cli.force, e);
	pb_token_close(&t);
	if (rc == 0)
		printf("token %s removed\n", t.name);
	return rc;
}

typedef struct lister {
	const pb_state *st;
	int json, first, nested_first;
} lister;

static int print_container(void *ctx, const char *name, pb_err *e)
{
	lister *l = ctx;

	(void)e;
	if (l->json) {
		fputs(l->nested_first ? "" : ", ", stdout);
		pb_json_str(stdout, name);
	} else
		printf("%s%s", l->nested_first ? "" : ",", name);
	l->nested_first = 0;
	return 0;
}

static int print_token(void *ctx, const char *name, pb_err *e)
{
	lister *l = ctx;
	pb_token t;
	pb_token_info info;

	if (pb_token_init(&t, l->st, name, e) != 0 || pb_token_info_get(&t, &info, e) != 0)
		return e->code;
	if (l->json) {
		printf("%s\n  {", l->first ? "" : ",");
		pb_json_kv(stdout, 1, "name", name);
		printf(", \"failed_attempts\": %llu, \"containers\": [", (unsigned long long)info.failures);
	} else
		printf("%s\tfailed-attempts=%llu\tcontainers=", name, (unsigned long long)info.failures);
	l->first = 0;
	l->nested_first = 1;
	if (pb_container_each(&t, print_container, l, e) != 0)
		return e->code;
	printf(l->json ? "]}" : "\n");
	return 0;
}

static int cmd_list(int argc, char **argv, pb_err *e)
{
	pb_cli cli;
	tok_opts o;
	pb_state st;
	lister l = {&st, 0, 1, 1};

	if (parse(argc, argv, opts_none, 0, &cli, &o, e) != 0 || pb_state_open(&st, cli.state_dir, e) != 0)
		return e->code;
	l.json = cli.json;
	if (l.json)
		printf("{\"tokens\": [");
	if (pb_token_each(&st, print_token, &l, e) != 0)
		return e->code;
	if (l.json)
		printf("%s]}\n", l.first ? "" : "\n");
	return 0;
}

static const pb_subcmd cmds[] = {
	{"create", cmd_create},
	{"unlock", cmd_unlock},
	{"change-pin", cmd_change_pin},
	{"wrap", cmd_wrap},
	{"unwrap", cmd_unwrap},
	{"import", cmd_import},
	{"remove", cmd_remove},
	{"list", cmd_list},
	{NULL, NULL}
};

static int token_main(int argc, char **argv, pb_err *e)
{
	return pb_subcmd_run("token", cmds, argc, argv, e);
}

const pb_applet applet_token = {"token", "the PIN-protected softtoken (PKCS#12) wrapping container keys",
	help, token_main};
