/* applets/tee.c - the TEE's PKCS#11 token: init, PINs, status, list, reset.
 *
 * Thin: options here, the token behind the HAL's tee backend (hal/tee.c:
 * a PKCS#11 module such as OP-TEE's libckteec or SoftHSM2, or the
 * simulated secure storage). PINs reach the backend through the HAL auth
 * callback (hal/hal_cli.c), never argv.
 */
#include <stdio.h>
#include <string.h>

#include "core/base/applet.h"
#include "core/base/cli.h"
#include "core/base/json.h"
#include "core/lifecycle/lifecycle.h"
#include "hal/hal_cli.h"

static const char help[] =
	"Usage: tee init --label LABEL\n"
	"       tee init-pin\n"
	"       tee keygen --key tee:NAME [--alg ec-p256|rsa-2048] [--force]\n"
	"       tee status\n"
	"       tee list [--json]\n"
	"       tee reset\n"
	"\n"
	"The TEE's secure storage as a PKCS#11 token. --tee chooses it:\n"
	"  sim (default)   simulated secure storage in STATE/tee: objects AES-256-GCM\n"
	"                  encrypted under a key derived from the device secret\n"
	"                  STATE/tee/huk, an index (dirf.db) that detects an old copy of\n"
	"                  an object file put back (exit 5); PINs lock after 3 wrong tries\n"
	"  pkcs11:/path/module.so[,token=LABEL][,serial=S]\n"
	"                  a PKCS#11 module: OP-TEE's /usr/lib/libckteec.so.0 on a target,\n"
	"                  SoftHSM2 in tests; the token is found by label or serial (slot\n"
	"                  numbers change), the only initialised one when none is named\n"
	"Keys are key pairs labelled NAME (tee:NAME), made by `csr --key tee:NAME --create`\n"
	"or keygen: private, sensitive, never extractable, generated inside the token.\n"
	"\n"
	"  init          initialise the token with LABEL and the SO PIN: the token --tee\n"
	"                names, else one labelled LABEL (a re-run changes nothing), else\n"
	"                the first uninitialised one; another label is refused\n"
	"  init-pin      as SO, set the user PIN (also unlocks a locked one)\n"
	"  keygen        make a key pair in the token (user PIN; --force replaces)\n"
	"  status        the module or storage, its tokens, PIN states\n"
	"  list          keys: label, class, type, sensitive, extractable, local (user PIN)\n"
	"  reset         wipe every key. sim: as emptying /var/lib/tee, the token is\n"
	"                uninitialised after; pkcs11: C_InitToken again with the SO PIN\n"
	"                (keeps the label, unsets the user PIN)\n"
	"\n"
	"SO PIN: --so-pin-fd N, --so-pin-file PATH, $PROVBOX_SO_PIN or the terminal.\n"
	"User PIN: --pin-fd N, --pin-file PATH, $PROVBOX_PIN or the terminal; the new one\n"
	"of init-pin: --new-pin-fd N, --new-pin-file PATH, $PROVBOX_NEW_PIN or the terminal.\n"
	"A wrong PIN is exit 4 (and says when it is locked). init, keygen and reset are\n"
	"provisioning steps: refused (exit 3) once the device is secured.\n"
	"\n"
	"Example: PROVBOX_SO_PIN=12345678 tee init --label token0\n"
	"Example: PROVBOX_SO_PIN=12345678 PROVBOX_NEW_PIN=1234 tee init-pin\n"
	"Example: PROVBOX_PIN=1234 csr --key tee:key0 --create --alg rsa-2048 --subject \"/CN=serial:202600000000001\" --out dev.csr\n"
	"Example: tee list --tee pkcs11:/usr/lib/libckteec.so.0,token=token0 --json --pin-file /run/pin\n"
	"Example: tee status\n"
	"Example: PROVBOX_SO_PIN=12345678 tee reset\n";

enum { O_LABEL = 1, O_ALG };

static const pb_option opts_init[] = {{"label", 1, O_LABEL}, {NULL, 0, 0}};
static const pb_option opts_keygen[] = {{"alg", 1, O_ALG}, {NULL, 0, 0}};
static const pb_option opts_none[] = {{NULL, 0, 0}};

typedef struct tee_opts {
	const char *label, *alg;
} tee_opts;

static int on_option(void *ctx, int id, const char *arg, pb_err *e)
{
	tee_opts *o = ctx;
	const char **slot = id == O_LABEL ? &o->label : &o->alg;

	if (*slot)
		return pb_fail(e, PB_EUSAGE, "--%s given twice", id == O_LABEL ? "label" : "alg");
	*slot = arg;
	return 0;
}

/* What every subcommand holds from start to finish. */
typedef struct tee_run {
	pb_cli cli;
	tee_opts o;
	hal_open_opts ho;
	hal_cli_auth auth;
	hal_ctx *be;
} tee_run;

/* Parse; then ask the lifecycle gate when `gate` names the operation and
 * open the tee backend, unless the command line is already wrong. */
static int start(int argc, char **argv, const pb_option *table, const char *gate, tee_run *r,
	pb_err *e)
{
	memset(&r->o, 0, sizeof r->o);
	memset(&r->auth, 0, sizeof r->auth);
	r->be = NULL;
	if (pb_cli_parse(&r->cli, "tee", argc, argv, table, on_option, &r->o, e) != 0 ||
	    pb_cli_nargs(&r->cli, 0, 0, "", e) != 0)
		return e->code;
	if (table == opts_init && r->o.label == NULL)
		return pb_fail(e, PB_EUSAGE, "init: missing --label LABEL");
	if (table == opts_keygen && r->cli.key == NULL)
		return pb_fail(e, PB_EUSAGE, "keygen: missing --key tee:NAME");
	hal_opts_from_cli(&r->cli, &r->ho, &r->auth);
	if (gate && pb_lc_gate(&r->ho, gate, e) != 0)
		return e->code;
	return hal_open(HAL_TEE, &r->ho, &r->be, e);
}

static int finish(tee_run *r, int rc)
{
	if (r->be)
		hal_close(r->be);
	hal_cli_auth_wipe(&r->auth);
	return rc;
}

static int cmd_init(int argc, char **argv, pb_err *e)
{
	tee_run r;
	int rc;

	rc = start(argc, argv, opts_init, "init", &r, e);
	if (rc == 0)
		rc = hal_token_init(r.be, r.o.label, e);
	if (rc == 0)
		printf("token '%s': initialised\n", r.o.label);
	return finish(&r, rc);
}

static int cmd_init_pin(int argc, char **argv, pb_err *e)
{
	tee_run r;
	int rc;

	rc = start(argc, argv, opts_none, NULL, &r, e);
	if (rc == 0)
		rc = hal_token_set_pin(r.be, e);
	if (rc == 0)
		printf("user PIN set\n");
	return finish(&r, rc);
}

static int cmd_keygen(int argc, char **argv, pb_err *e)
{
	tee_run r;
	hal_key_ref ref;
	hal_key_spec spec;
	pb_alg alg = PB_ALG_EC_P256;
	int rc;

	rc = start(argc, argv, opts_keygen, "keygen", &r, e);
	if (rc == 0 && (hal_key_ref_parse(r.cli.key, &ref, e) != 0 ||
	    (r.o.alg && pb_alg_parse(r.o.alg, &alg, e) != 0)))
		rc = e->code;
	if (rc == 0 && ref.kind != HAL_TEE)
		rc = pb_fail(e, PB_EUSAGE, "keygen: --key must be tee:NAME");
	if (rc == 0) {
		spec = hal_key_spec_sign(alg, r.cli.force);
		rc = hal_key_create(r.be, &ref, &spec, e);
	}
	if (rc == 0)
		printf("tee:%s: %s key pair generated\n", ref.name, pb_alg_name(alg));
	return finish(&r, rc);
}

static int cmd_status(int argc, char **argv, pb_err *e)
{
	tee_run r;
	char buf[4096];
	int rc;

	rc = start(argc, argv, opts_none, NULL, &r, e);
	if (rc == 0)
		rc = hal_token_info(r.be, buf, sizeof buf, e);
	if (rc == 0)
		fputs(buf, stdout);
	return finish(&r, rc);
}

typedef struct list_out {
	int json, n;
} list_out;

static int print_key(void *ctx, const hal_key_info *k, pb_err *e)
{
	list_out *l = ctx;
	const char *type = k->alg == PB_ALG_NONE ? "other" : pb_alg_is_ec(k->alg) ? "EC" : "RSA";
	const char *alg = k->alg == PB_ALG_NONE ? "?" : pb_alg_name(k->alg);

	(void)e;
	if (!l->json) {
		if (l->n == 0)
			printf("%-20s %-12s %-5s %-9s %-9s %-11s %s\n", "LABEL", "CLASS", "TYPE", "ALG",
				"SENSITIVE", "EXTRACTABLE", "LOCAL");
		printf("%-20s %-12s %-5s %-9s %-9s %-11s %s\n", k->ref.name, "private-key", type, alg,
			k->sensitive ? "yes" : "no", k->extractable ? "yes" : "no", k->local ? "yes" : "no");
	} else {
		printf("%s{", l->n ? ", " : "");
		pb_json_kv(stdout, 1, "label", k->ref.name);
		printf(", \"class\": \"private-key\", \"key_type\": \"%s\", \"alg\": \"%s\", "
			"\"sensitive\": %s, \"extractable\": %s, \"local\": %s}", type, alg,
			k->sensitive ? "true" : "false", k->extractable ? "true" : "false",
			k->local ? "true" : "false");
	}
	l->n++;
	return 0;
}

static int cmd_list(int argc, char **argv, pb_err *e)
{
	tee_run r;
	list_out l = {0, 0};
	int rc;

	rc = start(argc, argv, opts_none, NULL, &r, e);
	l.json = r.cli.json;
	if (rc == 0 && l.json)
		printf("{\"keys\": [");
	if (rc == 0)
		rc = hal_key_list(r.be, print_key, &l, e);
	if (l.json && rc == 0)
		printf("]}\n");
	else if (rc == 0 && l.n == 0)
		printf("no keys\n");
	return finish(&r, rc);
}

static int cmd_reset(int argc, char **argv, pb_err *e)
{
	tee_run r;
	int rc;

	rc = start(argc, argv, opts_none, "reset", &r, e);
	if (rc == 0)
		rc = hal_token_erase(r.be, e);
	if (rc == 0)
		printf("secure storage reset: every key destroyed\n");
	return finish(&r, rc);
}

static const pb_subcmd cmds[] = {
	{"init", cmd_init},
	{"init-pin", cmd_init_pin},
	{"keygen", cmd_keygen},
	{"status", cmd_status},
	{"list", cmd_list},
	{"reset", cmd_reset},
	{NULL, NULL}
};

static int tee_main(int argc, char **argv, pb_err *e)
{
	return pb_subcmd_run("tee", cmds, argc, argv, e);
}

const pb_applet applet_tee = {"tee", "the TEE's PKCS#11 token: init, PINs, status, list, reset", help, tee_main};
