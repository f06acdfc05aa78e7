/* applets/csr.c - the device key and its certificate signing request.
 *
 * Three modes: make a CSR signed by a HAL key (creating the key first
 * with --create), --show a CSR, --verify its self-signature. The key can
 * be in any backend; with tpm: it is created in the TPM, persisted at its
 * handle, and never leaves it.
 */
#include <stdio.h>
#include <string.h>

#include "core/base/applet.h"
#include "core/base/cli.h"
#include "core/pki/csr.h"
#include "core/base/file.h"
#include "core/asn1/name.h"
#include "core/asn1/pem.h"
#include "core/lifecycle/lifecycle.h"
#include "hal/hal_cli.h"

static const char help[] =
	"Usage: csr --key REF [--create [--alg ALG] [--force]] --subject DN [--out FILE] [--der]\n"
	"       csr --show FILE [--json]\n"
	"       csr --verify FILE\n"
	"\n"
	"Make a PKCS#10 certificate signing request signed by a device key, or show\n"
	"or check one. The key stays in its backend (TPM, TEE, KMU); with tpm: it is\n"
	"created inside the TPM under the storage key and persisted at its handle.\n"
	"\n"
	"  --key REF            tpm:0x81000002, tee:key0, kmu:identity or file:key.pem\n"
	"  --create             create the key first; refused if one exists at REF, and\n"
	"                       for tpm:/tee:/kmu: keys once the device is past provisioning\n"
	"  --alg ALG            with --create: ec-p256 (default) or rsa-2048\n"
	"  --force              with --create: replace an existing key\n"
	"  --subject DN         the subject, openssl -subj form: \"/CN=serial:2026-0001/O=Acme\"\n"
	"  --out FILE           where the CSR goes (mode 0644; default: stdout)\n"
	"  --der                DER instead of PEM\n"
	"  --owner-auth-fd N    TPM owner hierarchy password from fd N (needed by --create\n"
	"  --owner-auth-file F  when the owner password is set; also $PROVBOX_OWNER_AUTH;\n"
	"                       shared options, see provbox --help)\n"
	"  --show FILE          print a CSR: subject, key, signature algorithm, key id\n"
	"  --json               with --show: one JSON object (keys in README.md)\n"
	"  --verify FILE        check a CSR's self-signature (exit 5 if it does not verify)\n"
	"  --tpm URI            sim (default), swtpm:host=H,port=P or device:/dev/tpmrm0\n"
	"  --tee URI, --kmu URI, --state DIR, --lock-timeout SECONDS   see provbox --help\n"
	"\n"
	"Example: csr --key tpm:0x81000002 --create --alg ec-p256 --subject \"/CN=serial:2026-0001\" --out dev.csr\n"
	"Example: csr --key tpm:0x81000002 --subject \"/CN=serial:2026-0001\" --out dev.csr   (existing key)\n"
	"Example: csr --tpm swtpm:host=127.0.0.1,port=2321 --key tpm:0x81000002 --create --subject /CN=dev --out dev.csr\n"
	"Example: csr --show dev.csr\n"
	"Example: csr --show dev.csr --json\n"
	"Example: csr --verify dev.csr\n";

enum { OPT_CREATE = 1, OPT_ALG, OPT_SUBJECT, OPT_SHOW, OPT_VERIFY };

static const pb_option options[] = {
	{"create", 0, OPT_CREATE},
	{"alg", 1, OPT_ALG},
	{"subject", 1, OPT_SUBJECT},
	{"show", 1, OPT_SHOW},
	{"verify", 1, OPT_VERIFY},
	{NULL, 0, 0}
};

typedef struct csr_opts {
	int create;
	const char *alg;
	const char *subject;
	const char *show;
	const char *verify;
} csr_opts;

static int once(const char **slot, const char *name, const char *arg, pb_err *e)
{
	if (*slot)
		return pb_fail(e, PB_EUSAGE, "--%s given twice", name);
	*slot = arg;
	return 0;
}

static int on_option(void *ctx, int id, const char *arg, pb_err *e)
{
	csr_opts *o = ctx;

	switch (id) {
	case OPT_CREATE: o->create = 1; return 0;
	case OPT_ALG: return once(&o->alg, "alg", arg, e);
	case OPT_SUBJECT: return once(&o->subject, "subject", arg, e);
	case OPT_SHOW: return once(&o->show, "show", arg, e);
	case OPT_VERIFY: return once(&o->verify, "verify", arg, e);
	}
	return pb_fail(e, PB_EUSAGE, "internal: unhandled option");
}

/* Show or check one CSR file. A DER file is parsed in place, so the file's
 * buffer lives until the views into it are used; a PEM one decodes into der. */
static int show_or_verify(const pb_cli *cli, const csr_opts *o, pb_err *e)
{
	uint8_t der[PB_CSR_MAX], *buf;
	const char *path = o->show ? o->show : o->verify;
	size_t len;
	pb_csr c;
	int rc;

	if (cli->key || o->create || o->subject || o->alg || cli->out || (o->show && o->verify) ||
	    (cli->json && !o->show))
		return pb_fail(e, PB_EUSAGE, "--show and --verify take a CSR file and nothing else"
			" (--json goes with --show)");
	if (pb_file_read(path, 4 * PB_CSR_MAX, &buf, &len, e) != 0)
		return e->code;
	rc = pb_csr_load(buf, len, der, sizeof der, &c, e);
	if (rc == 0 && o->show)
		(cli->json ? pb_csr_print_json : pb_csr_print)(stdout, &c);
	else if (rc == 0)
		rc = pb_csr_verify(&c, e);
	pb_file_free(buf, len);
	if (rc != 0)
		return pb_err_prefix(e, "%s", path);
	if (o->verify)
		printf("%s: self-signature OK\n", path);
	return 0;
}

/* Sign a CSR for subject with the key and check it before anyone sees it. */
static int make_csr(hal_ctx *be, const hal_key_ref *ref, const uint8_t *subject, size_t slen,
	uint8_t *der, size_t cap, size_t *len, pb_err *e)
{
	hal_signer_ctx hctx;
	pb_signer signer;
	pb_csr c;

	if (hal_signer(be, ref, &hctx, &signer, e) != 0 ||
	    pb_csr_encode(subject, slen, NULL, 0, &signer, der, cap, len, e) != 0)
		return e->code;
	if (pb_csr_parse(der, *len, &c, e) != 0 || pb_csr_verify(&c, e) != 0)
		return pb_err_prefix(e, "the CSR just made does not check (backend signature?)");
	return 0;
}

static int write_csr(const pb_cli *cli, const uint8_t *der, size_t len, pb_err *e)
{
	char pem[2 * PB_CSR_MAX];
	size_t plen;

	if (cli->der)
		return pb_write_output(cli->out, der, len, 0644, e);
	if (pem_encode("CERTIFICATE REQUEST", der, len, pem, sizeof pem, &plen, e) != 0)
		return e->code;
	return pb_write_output(cli->out, pem, plen, 0644, e);
}

static int make_mode(const pb_cli *cli, const csr_opts *o, pb_err *e)
{
	hal_key_ref ref;
	hal_ctx *be;
	hal_open_opts ho;
	hal_cli_auth auth;
	hal_key_spec spec;
	pb_alg alg = PB_ALG_EC_P256;
	uint8_t subject[PB_NAME_TEXT_MAX], der[PB_CSR_MAX];
	size_t slen, len;
	int rc;

	if (cli->key == NULL)
		return pb_fail(e, PB_EUSAGE, "missing --key (or --show/--verify FILE; see --help)");
	if (o->subject == NULL)
		return pb_fail(e, PB_EUSAGE, "missing --subject (e.g. \"/CN=serial:2026-0001\")");
	if (!o->create && (o->alg || cli->force))
		return pb_fail(e, PB_EUSAGE, "--alg and --force go with --create");
	if ((o->alg && pb_alg_parse(o->alg, &alg, e) != 0) ||
	    hal_key_ref_parse(cli->key, &ref, e) != 0 ||
	    pb_name_from_text(o->subject, subject, sizeof subject, &slen, e) != 0)
		return e->code;
	hal_opts_from_cli(cli, &ho, &auth);
	spec = hal_key_spec_sign(alg, cli->force);
	be = NULL;
	/* making a device key is a provisioning operation: the gate first; a
	 * file: key is a provisioning station's software key, not the device's */
	rc = o->create && ref.kind != HAL_FILE ? pb_lc_gate(&ho, "create", e) : 0;
	if (rc == 0)
		rc = hal_open_for_key(&ref, &ho, &be, e);
	if (rc == 0 && o->create)
		rc = hal_key_create(be, &ref, &spec, e);
	if (rc == 0)
		rc = make_csr(be, &ref, subject, slen, der, sizeof der, &len, e);
	if (be)
		hal_close(be);
	hal_cli_auth_wipe(&auth);
	return rc == 0 ? write_csr(cli, der, len, e) : rc;
}

static int csr_main(int argc, char **argv, pb_err *e)
{
	csr_opts o = {0};
	pb_cli cli;

	if (pb_cli_parse(&cli, "csr", argc, argv, options, on_option, &o, e) != 0 ||
	    pb_cli_nargs(&cli, 0, 0, "", e) != 0)
		return e->code;
	if (o.show || o.verify)
		return show_or_verify(&cli, &o, e);
	if (cli.json)
		return pb_fail(e, PB_EUSAGE, "--json goes with --show");
	return make_mode(&cli, &o, e);
}

const pb_applet applet_csr = {"csr", "device key and certificate signing request (PKCS#10)", help, csr_main};
