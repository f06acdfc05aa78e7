/* applets/connect.c - prove the device identity over TLS.
 *
 * A TLS 1.2 client (core/tls, BearSSL) that authenticates with the
 * device certificate and a HAL key (hal/tls_signer.c): the
 * CertificateVerify signature is made inside the TPM / TEE / KMU. This
 * file only reads the options and files, checks that the certificate
 * is the key's, and prints what the handshake agreed on.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/base/applet.h"
#include "core/base/cli.h"
#include "core/base/file.h"
#include "core/base/json.h"
#include "core/tls/tls.h"
#include "hal/hal.h"
#include "hal/hal_cli.h"
#include "hal/tls_signer.h"

static const char help[] =
	"Usage: connect --host H --port P --key REF --cert dev.crt [--chain FILE ...]\n"
	"               [--ca ca.crt] [--servername NAME] [--timeout S] [--linger S] [--json]\n"
	"\n"
	"Prove the device identity with a mutually authenticated TLS 1.2 handshake\n"
	"(TLS 1.2 only; ECDHE-ECDSA or ECDHE-RSA with AES-GCM; signatures with\n"
	"SHA-256/384). The client signature is made by the HAL key, so a tpm:, tee:\n"
	"or kmu: key never leaves its backend. The server's certificate must chain to\n"
	"--ca (else to a device anchor of the certificate store) and carry\n"
	"--servername (default: --host; an IP address is matched against the\n"
	"certificate's IP addresses). After the handshake it prints the\n"
	"peer, the suite and the server's subject and issuer (one JSON object with\n"
	"--json), then copies stdin to the server and the server's data to stdout\n"
	"until either side closes. When stdin ends, the reply is still read until the\n"
	"server closes or is silent for --linger seconds, then close_notify goes out;\n"
	"with </dev/null it goes out right after the handshake (identity proof only).\n"
	"\n"
	"  --host H             server name or address\n"
	"  --port P             TCP port\n"
	"  --key REF            the device key: tpm:0x81000002, tee:key0, kmu:identity, file:k.pem\n"
	"  --cert FILE          the device certificate (PEM or DER) for that key\n"
	"  --chain FILE         intermediate certificates to send after it (repeatable; a PEM\n"
	"                       file may hold several)\n"
	"  --ca FILE            CA certificates the server must chain to (PEM, one or more;\n"
	"                       repeatable; default: the certificate store's device anchors)\n"
	"  --servername NAME    the name the server's certificate must carry (and SNI)\n"
	"  --timeout S          seconds for connect + handshake (default 10)\n"
	"  --linger S           after stdin ends, wait up to S seconds of silence for the\n"
	"                       server's reply (default 2)\n"
	"  --json               print the handshake summary as JSON\n"
	"  --pin-fd N, --pin-file F   the user PIN a tee: key needs (else $PROVBOX_PIN, else\n"
	"                       asked on the terminal when stdin is one)\n"
	"  --tpm URI, --tee URI, --kmu URI, --state DIR   see provbox --help\n"
	"\n"
	"Exit codes: 0 connected and closed cleanly; 1 network trouble, timeout, a\n"
	"handshake the server refused for other reasons (protocol version, suites);\n"
	"2 usage; 5 the server's certificate does not verify (CA, name, validity,\n"
	"signature), the server rejected our certificate (alerts 42-46, 48, 49, 51, 116),\n"
	"or --cert is not the certificate of --key.\n"
	"\n"
	"Example: connect --host gw.example --port 443 --key tpm:0x81000002 --cert dev.crt \\\n"
	"             --chain dev_subca.crt --ca ca.crt </dev/null\n"
	"Example: echo ping | connect --host 127.0.0.1 --port 4433 --servername localhost \\\n"
	"             --key tee:key0 --cert dev.crt --ca pki/ca.crt --json\n";

enum { O_HOST = 1, O_PORT, O_CERT, O_CHAIN, O_CA, O_SERVERNAME, O_TIMEOUT, O_LINGER };

static const pb_option options[] = {
	{"host", 1, O_HOST}, {"port", 1, O_PORT}, {"cert", 1, O_CERT}, {"chain", 1, O_CHAIN},
	{"ca", 1, O_CA}, {"servername", 1, O_SERVERNAME}, {"timeout", 1, O_TIMEOUT},
	{"linger", 1, O_LINGER}, {NULL, 0, 0}
};

#define FILES_MAX 8

typedef struct opts {
	const char *host, *port, *cert, *servername;
	const char *chain[FILES_MAX], *ca[FILES_MAX];
	int nchain, nca;
	unsigned timeout, linger;
} opts;

static int once(const char **slot, const char *name, const char *arg, pb_err *e)
{
	if (*slot)
		return pb_fail(e, PB_EUSAGE, "--%s given twice", name);
	*slot = arg;
	return 0;
}

static int more(const char **list, int *n, const char *name, const char *arg, pb_err *e)
{
	if (*n == FILES_MAX)
		return pb_fail(e, PB_EUSAGE, "--%s: at most %d files", name, FILES_MAX);
	list[(*n)++] = arg;
	return 0;
}

static int on_option(void *ctx, int id, const char *arg, pb_err *e)
{
	opts *o = ctx;
	unsigned long long v;

	switch (id) {
	case O_HOST: return once(&o->host, "host", arg, e);
	case O_PORT:
		if (o->port)
			return pb_fail(e, PB_EUSAGE, "--port given twice");
		if (pb_cli_uint("--port", arg, 1, 65535, &v, e) != 0)
			return e->code;
		o->port = arg;
		return 0;
	case O_CERT: return once(&o->cert, "cert", arg, e);
	case O_CHAIN: return more(o->chain, &o->nchain, "chain", arg, e);
	case O_CA: return more(o->ca, &o->nca, "ca", arg, e);
	case O_SERVERNAME: return once(&o->servername, "servername", arg, e);
	case O_TIMEOUT:
		if (pb_cli_uint("--timeout", arg, 1, 3600, &v, e) != 0)
			return e->code;
		o->timeout = (unsigned)v;
		return 0;
	case O_LINGER:
		if (pb_cli_uint("--linger", arg, 0, 3600, &v, e) != 0)
			return e->code;
		o->linger = (unsigned)v;
		return 0;
	}
	return pb_fail(e, PB_EUSAGE, "internal: unhandled option");
}

static int read_certs(const char *path, pb_tls_chain *ch, pb_tls_anchors *ta, pb_err *e)
{
	uint8_t *buf;
	size_t len;
	int rc;

	if (pb_file_read(path, 1u << 20, &buf, &len, e) != 0)
		return e->code;
	rc = ch ? pb_tls_chain_add(ch, buf, len, path, e) : pb_tls_anchors_add(ta, buf, len, path, e);
	pb_file_free(buf, len);
	return rc;
}

/* Trust anchors: --ca files, else the certificate store's device anchors. */
static int load_anchors(const pb_cli *cli, const opts *o, pb_tls_anchors *ta, pb_err *e)
{
	if (o->nca == 0)
		return pb_tls_anchors_device(ta, cli->state_dir, e);
	for (int i = 0; i < o->nca; i++)
		if (read_certs(o->ca[i], NULL, ta, e) != 0)
			return e->code;
	return 0;
}

/* --cert must be the certificate of --key: say so now rather than let
 * the server answer decrypt_error. */
static int check_cert_key(const opts *o, const pb_cli *cli, const pb_tls_chain *ch,
	const pb_pubkey *pub, pb_err *e)
{
	pb_x509 leaf;

	if (pb_x509_parse(ch->cert[0].data, ch->cert[0].data_len, &leaf, e) != 0)
		return pb_err_prefix(e, "%s", o->cert);
	if (!pb_pubkey_equal(&leaf.pub, pub))
		return pb_fail(e, PB_EVERIFY, "%s is not the certificate of key %s (its public key differs)",
			o->cert, cli->key);
	return 0;
}

static void print_info(const pb_cli *cli, const pb_tls_info *in)
{
	if (cli->json) {
		putchar('{');
		pb_json_kv(stdout, 1, "peer", in->peer_addr);
		pb_json_kv(stdout, 0, "protocol", "TLSv1.2");
		pb_json_kv(stdout, 0, "suite", in->suite_name);
		pb_json_kv(stdout, 0, "server_subject", in->server_subject);
		pb_json_kv(stdout, 0, "server_issuer", in->server_issuer);
		printf("}\n");
	} else {
		printf("connected: %s TLSv1.2 %s\n", in->peer_addr, in->suite_name);
		printf("server: %s\n", in->server_subject);
		printf("issuer: %s\n", in->server_issuer);
	}
	fflush(stdout);
}

/* Handshake with the key's backend open; it is closed before the data
 * phase, so a long session does not hold the backend (and its lock). */
static int handshake(const pb_cli *cli, const opts *o, const hal_key_ref *ref,
	const pb_tls_chain *ch, const pb_tls_anchors *ta, pb_tls_conn *conn, pb_tls_info *info,
	pb_err *e)
{
	hal_tls_signer signer;
	pb_tls_config cfg = {
		.host = o->host, .port = o->port, .servername = o->servername,
		.timeout_s = o->timeout, .anchors = ta, .client_auth = &signer.vtable,
		.client_auth_err = &signer.err
	};
	hal_open_opts ho;
	hal_cli_auth auth;
	pb_pubkey pub;
	hal_ctx *be;
	int rc;

	/* --tpm/--tee/--kmu/--state, and the PIN sources a tee: key needs */
	hal_opts_from_cli(cli, &ho, &auth);
	if (hal_open_for_key(ref, &ho, &be, e) != 0) {
		hal_cli_auth_wipe(&auth);
		return e->code;
	}
	rc = hal_key_public(be, ref, &pub, e);
	if (rc == 0)
		rc = check_cert_key(o, cli, ch, &pub, e);
	if (rc == 0) {
		hal_tls_signer_init(&signer, be, ref, &pub, ch->cert, ch->n);
		rc = pb_tls_connect(conn, &cfg, info, e);
	}
	hal_close(be);
	hal_cli_auth_wipe(&auth);
	return rc;
}

static int connect_main(int argc, char **argv, pb_err *e)
{
	opts o = {.timeout = 10, .linger = 2};
	pb_tls_anchors *ta = NULL;
	pb_tls_chain ch = {0};
	pb_tls_conn *conn = NULL;
	pb_tls_info info;
	hal_key_ref ref;
	pb_cli cli;
	int rc;

	if (pb_cli_parse(&cli, "connect", argc, argv, options, on_option, &o, e) != 0 ||
	    pb_cli_nargs(&cli, 0, 0, "", e) != 0)
		return e->code;
	if (!o.host || !o.port || !cli.key || !o.cert)
		return pb_fail(e, PB_EUSAGE, "needs --host, --port, --key and --cert (see --help)");
	if (cli.out || cli.der || cli.force)
		return pb_fail(e, PB_EUSAGE, "--out, --der and --force do not apply to connect");
	if (hal_key_ref_parse(cli.key, &ref, e) != 0)
		return e->code;
	ta = calloc(1, sizeof *ta);
	conn = calloc(1, sizeof *conn);
	if (!ta || !conn) {
		rc = pb_fail(e, PB_EFAIL, "out of memory");
		goto out;
	}
	rc = load_anchors(&cli, &o, ta, e);
	if (rc == 0)
		rc = read_certs(o.cert, &ch, NULL, e);
	for (int i = 0; rc == 0 && i < o.nchain; i++)
		rc = read_certs(o.chain[i], &ch, NULL, e);
	if (rc == 0)
		rc = handshake(&cli, &o, &ref, &ch, ta, conn, &info, e);
	if (rc == 0) {
		print_info(&cli, &info);
		/* stdout closed early (| head): an error to report, not a signal */
		signal(SIGPIPE, SIG_IGN);
		rc = pb_tls_pump(conn, STDIN_FILENO, STDOUT_FILENO, o.linger * 1000, e);
	}
out:
	pb_tls_chain_free(&ch);
	if (ta)
		pb_tls_anchors_free(ta);
	free(ta);
	free(conn);
	return rc;
}

const pb_applet applet_connect = {"connect", "prove the device identity over TLS 1.2 (client auth by a HAL key)",
	help, connect_main};
