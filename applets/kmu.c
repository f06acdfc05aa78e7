/* applets/kmu.c - the Key Management Unit (Nordic/PSA deployment).
 *
 * The steps of Nordic's identity_key_generate sample, one subcommand
 * each: hardware unique keys, the identity key encrypted under MKEK, the
 * check that it is written, its public key, and ERASEALL. Everything goes
 * through the HAL's kmu backend (--kmu, default sim); the KMU enforces
 * its slot policies itself, the lifecycle rules are core's.
 */
#include <stdio.h>
#include <string.h>

#include "core/asn1/der.h"
#include "core/asn1/pem.h"
#include "core/base/applet.h"
#include "core/base/cli.h"
#include "core/base/file.h"
#include "core/base/json.h"
#include "core/lifecycle/lifecycle.h"
#include "hal/hal_cli.h"

static const char help[] =
	"Usage: kmu status [--json]\n"
	"       kmu gen-huk\n"
	"       kmu gen-identity\n"
	"       kmu is-written\n"
	"       kmu read-identity [--out pub.pem] [--der]\n"
	"       kmu erase-all --yes\n"
	"\n"
	"The Key Management Unit of an nRF-style device (--kmu sim: the simulated\n"
	"one, its slots and lifecycle OTP in STATE/kmu). Layout: MKEK in slots 2-3,\n"
	"MEXT in 4-5 (random hardware unique keys, derive-only), the identity key\n"
	"KIDENT in 6-7 (secp256r1, encrypted under a key derived from the MKEK,\n"
	"sign-only). Every key slot is push-only (never read back) and write-once\n"
	"until erase-all. The identity key signs as --key kmu:identity (csr, pki-gen).\n"
	"\n"
	"  status          the KMU's lifecycle state (name, PSA value) and its slots in use\n"
	"  gen-huk         write MKEK and MEXT (random); refused if they are written\n"
	"  gen-identity    make the identity key; needs the MKEK; refused if written\n"
	"  is-written      exit 0 if the identity key is written, 1 if not (for scripts)\n"
	"  read-identity   the identity key's public key (SubjectPublicKeyInfo)\n"
	"  erase-all       ERASEALL: destroys every key and takes the lifecycle back to\n"
	"                  assembly; refused without --yes\n"
	"gen-huk and gen-identity need the provisioning state (exit 3 otherwise).\n"
	"\n"
	"  --json          status as JSON\n"
	"  --out FILE      read-identity: where the key goes (default stdout); --der for DER\n"
	"  --yes           erase-all: yes, destroy the device identity\n"
	"  --kmu URI       sim (default); --state DIR as everywhere\n"
	"\n"
	"Example: provbox lifecycle advance provisioning --kmu sim\n"
	"Example: kmu gen-huk && kmu gen-identity && kmu is-written\n"
	"Example: csr --key kmu:identity --subject \"/CN=serial:2026-0001\" --out dev.csr\n"
	"Example: kmu read-identity --out identity.pem\n"
	"Example: kmu erase-all --yes\n";

enum { OPT_YES = 1 };

static const pb_option opts_yes[] = {{"yes", 0, OPT_YES}, {NULL, 0, 0}};
static const pb_option opts_none[] = {{NULL, 0, 0}};

typedef struct kmu_cmd {
	pb_cli cli;
	int yes;
	hal_open_opts ho;
	hal_cli_auth auth;
	hal_ctx *be;
} kmu_cmd;

static int on_option(void *ctx, int id, const char *arg, pb_err *e)
{
	kmu_cmd *c = ctx;

	(void)arg;
	(void)e;
	if (id == OPT_YES)
		c->yes = 1;
	return 0;
}

/* Parse a subcommand's line and open the KMU: the KMU is asked even
 * without --kmu (sim then), for the keys and for the lifecycle. */
static int start(kmu_cmd *c, int argc, char **argv, const pb_option *opts, pb_err *e)
{
	memset(c, 0, sizeof *c);
	if (pb_cli_parse(&c->cli, "kmu", argc, argv, opts, on_option, c, e) != 0 ||
	    pb_cli_nargs(&c->cli, 0, 0, "", e) != 0)
		return e->code;
	hal_opts_from_cli(&c->cli, &c->ho, &c->auth);
	if (c->ho.kmu_uri == NULL)
		c->ho.kmu_uri = "sim";
	return hal_open(HAL_KMU, &c->ho, &c->be, e);
}

static int finish(kmu_cmd *c, int rc)
{
	if (c->be)
		hal_close(c->be);
	hal_cli_auth_wipe(&c->auth);
	return rc;
}

static const hal_key_ref identity = {.kind = HAL_KMU, .name = "identity"};

/* gen-huk and gen-identity: the gate (exit 3 when the device is past
 * provisioning), then the device must be in provisioning itself, as the
 * Nordic sample checks before it writes a key. The state is core's one
 * rule over the KMU's OTP and the TPM's record. */
static int need_provisioning(kmu_cmd *c, const char *what, pb_err *e)
{
	hal_lifecycle lc;

	if (pb_lc_gate(&c->ho, what, e) != 0)
		return e->code;
	if (pb_lc_current(&c->ho, &lc, NULL, e) != 0)
		return pb_err_prefix(e, "%s", what);
	if (lc != HAL_LC_PROVISIONING)
		return pb_fail(e, PB_EREFUSED, "%s: refused: device is %s (0x%04x); keys are made in "
			"provisioning (lifecycle advance provisioning --kmu sim)", what, pb_lc_name(lc),
			pb_lc_psa_value(lc));
	return 0;
}

/* ---------------------------------------------------------------- status */

typedef struct lister {
	int n;
} lister;

static const char *slots_of(const char *name)
{
	return strcmp(name, "mkek") == 0 ? "2-3" : strcmp(name, "mext") == 0 ? "4-5" :
	       strcmp(name, "identity") == 0 ? "6-7" : "";
}

static int print_key(void *ctx, const hal_key_info *k, pb_err *e)
{
	lister *l = ctx;

	(void)e;
	printf("%s\n    {", l->n ? "," : "");
	pb_json_kv(stdout, 1, "name", k->ref.name);
	pb_json_kv(stdout, 0, "slots", slots_of(k->ref.name));
	pb_json_kv(stdout, 0, "usage", k->usage == HAL_USAGE_SIGN ? "sign" : "derive");
	printf(", \"push_only\": %s, \"write_once\": %s}",
		k->policy & HAL_POLICY_PUSH_ONLY ? "true" : "false",
		k->policy & HAL_POLICY_WRITE_ONCE ? "true" : "false");
	l->n++;
	return 0;
}

static int cmd_status(int argc, char **argv, pb_err *e)
{
	kmu_cmd c;
	hal_lifecycle lc;
	lister l = {0};
	char info[2048];
	int present, rc;

	if ((rc = start(&c, argc, argv, opts_none, e)) != 0)
		return finish(&c, rc);
	rc = hal_lifecycle_read(c.be, &lc, &present, e);
	if (rc == 0 && !c.cli.json)
		rc = hal_token_info(c.be, info, sizeof info, e);
	if (rc != 0)
		return finish(&c, rc);
	if (!c.cli.json) {
		printf("lifecycle: %s (PSA 0x%04x)\n%s", pb_lc_name(lc), pb_lc_psa_value(lc), info);
		return finish(&c, 0);
	}
	snprintf(info, sizeof info, "0x%04x", pb_lc_psa_value(lc));
	printf("{\n  ");
	pb_json_kv(stdout, 1, "lifecycle", pb_lc_name(lc));
	printf(",\n  ");
	pb_json_kv(stdout, 1, "psa_lifecycle", info);
	printf(",\n  \"keys\": [");
	rc = hal_key_list(c.be, print_key, &l, e);
	printf("%s]\n}\n", l.n ? "\n  " : "");
	return finish(&c, rc);
}

/* ---------------------------------------------------------------- keys */

static int cmd_gen_huk(int argc, char **argv, pb_err *e)
{
	static const hal_key_ref huk = {.kind = HAL_KMU, .name = "huk"};
	const hal_key_spec spec = {.alg = PB_ALG_NONE, .usage = HAL_USAGE_DERIVE, .persistent = 1,
		.policy = HAL_POLICY_WRITE_ONCE | HAL_POLICY_PUSH_ONLY};
	kmu_cmd c;
	int rc;

	if ((rc = start(&c, argc, argv, opts_none, e)) != 0 ||
	    (rc = need_provisioning(&c, "gen-huk", e)) != 0)
		return finish(&c, rc);
	if ((rc = hal_key_create(c.be, &huk, &spec, e)) != 0)
		return finish(&c, pb_err_prefix(e, "gen-huk"));
	printf("hardware unique keys written: MKEK (slots 2-3), MEXT (slots 4-5)\n");
	return finish(&c, 0);
}

static int cmd_gen_identity(int argc, char **argv, pb_err *e)
{
	const hal_key_spec spec = {.alg = PB_ALG_EC_P256, .usage = HAL_USAGE_SIGN, .persistent = 1,
		.policy = HAL_POLICY_WRITE_ONCE | HAL_POLICY_PUSH_ONLY};
	kmu_cmd c;
	int rc;

	if ((rc = start(&c, argc, argv, opts_none, e)) != 0 ||
	    (rc = need_provisioning(&c, "gen-identity", e)) != 0)
		return finish(&c, rc);
	if ((rc = hal_key_create(c.be, &identity, &spec, e)) != 0)
		return finish(&c, pb_err_prefix(e, "gen-identity"));
	printf("identity key written: secp256r1, encrypted under MKEK (KIDENT, slots 6-7)\n");
	return finish(&c, 0);
}

static int cmd_is_written(int argc, char **argv, pb_err *e)
{
	kmu_cmd c;
	pb_pubkey pub;
	int found = 0, rc;

	if ((rc = start(&c, argc, argv, opts_none, e)) != 0 ||
	    (rc = hal_key_find(c.be, &identity, &pub, &found, e)) != 0)
		return finish(&c, rc);
	if (!found)   /* the "no" of a yes/no question: exit 1, one line */
		return finish(&c, pb_fail(e, PB_EFAIL, "is-written: identity key not written"));
	printf("identity key: written\n");
	return finish(&c, 0);
}

static int cmd_read_identity(int argc, char **argv, pb_err *e)
{
	kmu_cmd c;
	pb_pubkey pub;
	uint8_t der[256];
	char pem[512];
	der_writer w;
	size_t plen;
	int rc;

	if ((rc = start(&c, argc, argv, opts_none, e)) != 0 ||
	    (rc = hal_key_public(c.be, &identity, &pub, e)) != 0)
		return finish(&c, rc);
	der_writer_init(&w, der, sizeof der);
	pb_pubkey_write_spki(&pub, &w);
	if (w.st != DER_OK)
		return finish(&c, pb_fail(e, PB_EFAIL, "read-identity: encoding the public key failed"));
	if (c.cli.der)
		rc = pb_write_output(c.cli.out, der, w.len, 0644, e);
	else if ((rc = pem_encode("PUBLIC KEY", der, w.len, pem, sizeof pem, &plen, e)) == 0)
		rc = pb_write_output(c.cli.out, pem, plen, 0644, e);
	return finish(&c, rc);
}

static int cmd_erase_all(int argc, char **argv, pb_err *e)
{
	kmu_cmd c;
	int rc;

	if ((rc = start(&c, argc, argv, opts_yes, e)) != 0)
		return finish(&c, rc);
	if (!c.yes)
		return finish(&c, pb_fail(e, PB_EUSAGE,
			"erase-all destroys every KMU key, the device identity with them: give --yes"));
	if ((rc = hal_token_erase(c.be, e)) == 0)
		printf("KMU erased (ERASEALL): every key destroyed, lifecycle back to assembly\n");
	return finish(&c, rc);
}

static const pb_subcmd cmds[] = {
	{"status", cmd_status},
	{"gen-huk", cmd_gen_huk},
	{"gen-identity", cmd_gen_identity},
	{"is-written", cmd_is_written},
	{"read-identity", cmd_read_identity},
	{"erase-all", cmd_erase_all},
	{NULL, NULL}
};

static int kmu_main(int argc, char **argv, pb_err *e)
{
	return pb_subcmd_run("kmu", cmds, argc, argv, e);
}

const pb_applet applet_kmu = {"kmu", "the Key Management Unit: HUKs, the identity key, ERASEALL (Nordic/PSA)",
	help, kmu_main};
