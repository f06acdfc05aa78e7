/* applets/lifecycle.c - the security lifecycle (SPEC section 3).
 *
 * Thin: the policy (order, forward only, the gate) and the authority
 * record are core/lifecycle; the storage is the backend's (TPM NV, KMU
 * OTP markers).
 */
#include <stdio.h>
#include <string.h>

#include "core/base/applet.h"
#include "core/base/cli.h"
#include "core/base/json.h"
#include "core/lifecycle/lifecycle.h"
#include "hal/hal.h"
#include "hal/hal_cli.h"

#define APPLET "lifecycle"

static const char help[] =
	"Usage: lifecycle status [--json]\n"
	"       lifecycle advance STATE\n"
	"       lifecycle complete\n"
	"\n"
	"The PSA security lifecycle: assembly (0x1000, device assembly and test),\n"
	"provisioning (0x2000, PRoT provisioning), secured (0x3000), decommissioned\n"
	"(0x6000). trust|me's provisioning mode is assembly or provisioning; secured is\n"
	"operational. The state is held by a backend so that software cannot take it\n"
	"back: in the TPM as write-once NV indices, in the KMU as OTP markers. The device\n"
	"state is the most advanced record of every backend that holds one (none:\n"
	"assembly).\n"
	"\n"
	"The backend that holds it (the KMU when --kmu is given, else the TPM) is recorded\n"
	"in STATE/lifecycle/authority at the first advance, or the first time a\n"
	"provisioning operation is let through; from then on that backend is asked,\n"
	"whatever --tpm or --kmu say.\n"
	"\n"
	"  status     name, PSA value, the backend that holds it, the authority and the\n"
	"             rollback protection in force (--json: one object)\n"
	"  advance    move forward to STATE through each state in between; the current\n"
	"             state again changes nothing (exit 0); backward is exit 3\n"
	"  complete   advance to secured: provisioning operations (certstore add/remove/\n"
	"             install, csr --create, token create/import/remove, ...) are refused\n"
	"             from then on with exit 3, for good\n"
	"\n"
	"Options: --tpm URI, --kmu URI, --state DIR, --owner-auth-fd N / --owner-auth-file\n"
	"PATH (TPM owner password, also $PROVBOX_OWNER_AUTH).\n"
	"\n"
	"Example: lifecycle status\n"
	"Example: lifecycle advance provisioning\n"
	"Example: lifecycle complete\n"
	"Example: lifecycle status --json --tpm swtpm:host=127.0.0.1,port=2321\n";

static int parse(pb_cli *cli, int argc, char **argv, int nargs, pb_err *e)
{
	if (pb_cli_parse(cli, APPLET, argc, argv, NULL, NULL, NULL, e) != 0 ||
	    pb_cli_nargs(cli, nargs, nargs, nargs ? "STATE" : "", e) != 0)
		return pb_err_prefix(e, "%s", argv[0]);
	return 0;
}

static int cmd_status(int argc, char **argv, pb_err *e)
{
	pb_cli cli;
	hal_open_opts ho;
	hal_cli_auth auth;
	hal_lifecycle lc;
	pb_lc_info info;
	int rc;

	if (parse(&cli, argc, argv, 0, e) != 0)
		return e->code;
	hal_opts_from_cli(&cli, &ho, &auth);
	rc = pb_lc_current(&ho, &lc, &info, e);
	hal_cli_auth_wipe(&auth);
	if (rc != 0)
		return pb_err_prefix(e, "status");
	if (cli.json) {
		char psa[8];
		snprintf(psa, sizeof psa, "0x%04x", pb_lc_psa_value(lc));
		printf("{");
		pb_json_kv(stdout, 1, "state", pb_lc_name(lc));
		pb_json_kv(stdout, 0, "psa", psa);
		pb_json_kv(stdout, 0, "holder", info.holder[0] ? info.holder : "none");
		pb_json_kv(stdout, 0, "authority", info.authority);
		pb_json_kv(stdout, 0, "authority_uri", info.authority_uri);
		printf(", \"authority_recorded\": %s", info.authority_recorded ? "true" : "false");
		pb_json_kv(stdout, 0, "rollback_protection", info.protection);
		printf(", \"provisioning_mode\": %s}\n", lc <= HAL_LC_PROVISIONING ? "true" : "false");
		return 0;
	}
	printf("state: %s (PSA 0x%04x)%s\n", pb_lc_name(lc), pb_lc_psa_value(lc),
		lc <= HAL_LC_PROVISIONING ? ", provisioning mode" : "");
	printf("held by: %s\n", info.holder[0] ? info.holder : "no record yet (a fresh device)");
	printf("authority: %s %s (%s)\n", info.authority, info.authority_uri,
		info.authority_recorded ? "recorded in the state directory" :
		"from the options; recorded at the first advance");
	printf("rollback protection: %s\n", info.protection);
	return 0;
}

static int advance_to(const pb_cli *cli, hal_lifecycle to, const char *sub, pb_err *e)
{
	hal_open_opts ho;
	hal_cli_auth auth;
	hal_lifecycle before, after;
	int rc;

	hal_opts_from_cli(cli, &ho, &auth);
	rc = pb_lc_current(&ho, &before, NULL, e);
	if (rc == 0)
		rc = pb_lc_advance(&ho, to, e);
	if (rc == 0)
		rc = pb_lc_current(&ho, &after, NULL, e);
	hal_cli_auth_wipe(&auth);
	if (rc != 0)
		return pb_err_prefix(e, "%s", sub);
	if (after != to)
		return pb_fail(e, PB_EFAIL, "%s: the device is %s after advancing to %s", sub,
			pb_lc_name(after), pb_lc_name(to));
	if (before == after)
		printf("lifecycle: %s (PSA 0x%04x), unchanged\n", pb_lc_name(after), pb_lc_psa_value(after));
	else
		printf("lifecycle: %s -> %s (PSA 0x%04x)\n", pb_lc_name(before), pb_lc_name(after),
			pb_lc_psa_value(after));
	return 0;
}

static int cmd_advance(int argc, char **argv, pb_err *e)
{
	pb_cli cli;
	hal_lifecycle to;

	if (parse(&cli, argc, argv, 1, e) != 0)
		return e->code;
	if (hal_lifecycle_parse(cli.args[0], &to, e) != 0)
		return pb_err_prefix(e, "advance");
	return advance_to(&cli, to, "advance", e);
}

static int cmd_complete(int argc, char **argv, pb_err *e)
{
	pb_cli cli;

	if (parse(&cli, argc, argv, 0, e) != 0)
		return e->code;
	return advance_to(&cli, HAL_LC_SECURED, "complete", e);
}

static const pb_subcmd subcmds[] = {
	{"status", cmd_status},
	{"advance", cmd_advance},
	{"complete", cmd_complete},
	{NULL, NULL}
};

static int lifecycle_main(int argc, char **argv, pb_err *e)
{
	return pb_subcmd_run(APPLET, subcmds, argc, argv, e);
}

const pb_applet applet_lifecycle = {APPLET, "security lifecycle: status, advance, complete", help,
	lifecycle_main};
