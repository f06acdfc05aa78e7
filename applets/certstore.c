/* applets/certstore.c - trust anchors and the device certificate (SPEC section 3).
 *
 * Thin: options and output here; the store is core/pki/certstore.c, path
 * validation core/pki/chain.c. add/remove/install are provisioning-only
 * operations and ask the lifecycle gate first.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/asn1/name.h"
#include "core/asn1/pem.h"
#include "core/base/applet.h"
#include "core/base/cli.h"
#include "core/base/file.h"
#include "core/base/json.h"
#include "core/pki/certstore.h"
#include "core/pki/chain.h"
#include "core/lifecycle/lifecycle.h"
#include "hal/hal.h"
#include "hal/hal_cli.h"

#define APPLET "certstore"
#define CHAIN_MAX 16   /* intermediates accepted on one command line */

static const char help[] =
	"Usage: certstore add --kind K CERT\n"
	"       certstore remove --kind K SHA256\n"
	"       certstore list [--json]\n"
	"       certstore verify [--kind K] CERT [--chain FILE]... [--at TIME] [--purpose P]\n"
	"       certstore install --cert CERT --key REF [--chain FILE]... [--force]\n"
	"       certstore verify-signed --kind K FILE SIG CERT [--chain FILE]... [--at TIME]\n"
	"\n"
	"The device's trust anchors, by kind (software, guestos, device), and its\n"
	"certificate. Files: STATE/certstore/index (versioned, checksummed; a damaged one\n"
	"is exit 5 and is left alone) and STATE/certstore/certs/SHA256.der.\n"
	"\n"
	"  add            add a CA certificate (PEM or DER) as an anchor of kind K; the same\n"
	"                 one again changes nothing (exit 0); a non-CA is refused (exit 5)\n"
	"  remove         remove the anchor of kind K with this SHA-256 (as list shows it)\n"
	"  list           anchors and the device certificate: kind, notAfter, sha256, subject\n"
	"  verify         validate a path from CERT through the --chain certificates to an\n"
	"                 anchor (of kind K if given): signatures, validity now or --at TIME,\n"
	"                 basicConstraints and pathLenConstraint, keyUsage keyCertSign on CAs,\n"
	"                 no unknown critical extension, and with --purpose (serverAuth,\n"
	"                 clientAuth, codeSigning) the leaf's extendedKeyUsage. Exit 5 if not.\n"
	"  install        install the device certificate: it must chain to a device anchor\n"
	"                 and carry the public key of the HAL key --key; the same again\n"
	"                 changes nothing; another one is refused unless --force\n"
	"  verify-signed  check a detached signature SIG (as `pki-gen sign` makes it: SHA-256,\n"
	"                 DER ECDSA or RSA PKCS#1) of FILE by CERT, and CERT's path to an\n"
	"                 anchor of kind K\n"
	"\n"
	"  --chain FILE   intermediate certificates (PEM, several per file, or DER); repeatable\n"
	"  --at TIME      seconds since the epoch, YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ (UTC)\n"
	"\n"
	"add, remove and install are provisioning operations: once the device is secured\n"
	"(`lifecycle complete`) they are refused with exit 3.\n"
	"\n"
	"Example: certstore add --kind device pki/gen_rootca.crt\n"
	"Example: certstore verify --kind device dev.crt --chain pki/dev_subca.crt\n"
	"Example: certstore install --cert dev.crt --key tpm:0x81000002 --chain pki/dev_subca.crt\n"
	"Example: certstore verify-signed --kind guestos guestos.img guestos.img.sig pki/guestos_subca.crt\n"
	"Example: certstore list --json\n";

enum { OPT_KIND = 1, OPT_CHAIN, OPT_AT, OPT_PURPOSE, OPT_CERT };

static const pb_option options[] = {
	{"kind", 1, OPT_KIND},
	{"chain", 1, OPT_CHAIN},
	{"at", 1, OPT_AT},
	{"purpose", 1, OPT_PURPOSE},
	{"cert", 1, OPT_CERT},
	{NULL, 0, 0}
};

typedef struct opts {
	pb_cli cli;
	const char *sub;
	const char *kind_text;
	pb_cs_kind kind;           /* PB_CS_KINDS: not given */
	const char *chain[CHAIN_MAX];
	size_t nchain;
	const char *at_text;
	int64_t at;
	unsigned purpose;
	const char *cert;
} opts;

static int once(const char **slot, const char *name, const char *arg, pb_err *e)
{
	if (*slot)
		return pb_fail(e, PB_EUSAGE, "--%s given twice", name);
	*slot = arg;
	return 0;
}

static int on_option(void *ctx, int id, const char *arg, pb_err *e)
{
	opts *o = ctx;

	switch (id) {
	case OPT_KIND:
		if (once(&o->kind_text, "kind", arg, e) != 0)
			return e->code;
		return pb_cs_kind_parse(arg, &o->kind, e);
	case OPT_CHAIN:
		if (o->nchain == CHAIN_MAX)
			return pb_fail(e, PB_EUSAGE, "more than %d --chain files", CHAIN_MAX);
		o->chain[o->nchain++] = arg;
		return 0;
	case OPT_AT:
		if (once(&o->at_text, "at", arg, e) != 0)
			return e->code;
		return pb_time_parse(arg, &o->at, e);
	case OPT_PURPOSE:
		if (o->purpose)
			return pb_fail(e, PB_EUSAGE, "--purpose given twice");
		return pb_purpose_parse(arg, &o->purpose, e);
	case OPT_CERT:
		return once(&o->cert, "cert", arg, e);
	}
	return pb_fail(e, PB_EUSAGE, "internal: unhandled option");
}

/* Parse argv; allowed is a string of the options the subcommand takes
 * ("kcapC": kind chain at purpose cert), nargs its positional count. */
static int parse(opts *o, int argc, char **argv, const char *allowed, int nargs, pb_err *e)
{
	memset(o, 0, sizeof *o);
	o->sub = argv[0];
	o->kind = PB_CS_KINDS;
	o->at = (int64_t)time(NULL);
	if (pb_cli_parse(&o->cli, APPLET, argc, argv, options, on_option, o, e) != 0)
		return pb_err_prefix(e, "%s", o->sub);
	if ((o->kind_text && !strchr(allowed, 'k')) || (o->nchain && !strchr(allowed, 'c')) ||
	    (o->at_text && !strchr(allowed, 'a')) || (o->purpose && !strchr(allowed, 'p')) ||
	    (o->cert && !strchr(allowed, 'C')))
		return pb_fail(e, PB_EUSAGE, "%s: option not taken by this subcommand (see --help)", o->sub);
	if (pb_cli_nargs(&o->cli, nargs, nargs, "", e) != 0)
		return pb_err_prefix(e, "%s", o->sub);
	return 0;
}

/* The lifecycle gate, asked first by every provisioning-only operation
 * (add, remove, install): exit 3 once the device is secured. */
static int gate(const opts *o, pb_err *e)
{
	hal_open_opts ho;
	hal_cli_auth auth;
	int rc;

	hal_opts_from_cli(&o->cli, &ho, &auth);
	rc = pb_lc_gate(&ho, o->sub, e);
	hal_cli_auth_wipe(&auth);
	return rc;
}

/* ------------------------------------------------------------------ */
/* certificates from files */

/* A set of parsed certificates with their DER kept here. */
typedef struct certs {
	size_t n;
	pb_x509 c[CHAIN_MAX * 4];
	uint8_t der[CHAIN_MAX * 4][PB_X509_MAX];
} certs;

static int parse_into(certs *s, const uint8_t *der, size_t len, const char *path, pb_err *e)
{
	if (s->n == sizeof s->c / sizeof s->c[0])
		return pb_fail(e, PB_EUSAGE, "%s: too many certificates", path);
	if (len > PB_X509_MAX)
		return pb_fail(e, PB_EVERIFY, "%s: certificate too large", path);
	memcpy(s->der[s->n], der, len);
	if (pb_x509_parse(s->der[s->n], len, &s->c[s->n], e) != 0)
		return pb_err_prefix(e, "%s", path);
	s->n++;
	return 0;
}

/* Every certificate of a file: PEM (each CERTIFICATE block) or one DER. */
static int load_file(certs *s, const char *path, int just_one, pb_err *e)
{
	static uint8_t scratch[PB_X509_MAX];
	uint8_t *buf;
	size_t len, pos = 0, before = s->n;
	pem_block blk;
	int r = 0;

	if (pb_file_read(path, PB_X509_MAX * 4 * CHAIN_MAX, &buf, &len, e) != 0)
		return e->code;
	if (!pem_detect(buf, len)) {
		r = parse_into(s, buf, len, path, e);
	} else {
		while ((r = pem_next((const char *)buf, len, &pos, scratch, sizeof scratch, &blk, e)) == 0) {
			if (strcmp(blk.label, "CERTIFICATE") != 0)
				continue;
			if ((r = parse_into(s, blk.der, blk.len, path, e)) != 0 || just_one)
				break;
		}
		if (r == PEM_NONE)
			r = 0;
		else if (r != 0 && e->code != PB_EUSAGE && strncmp(e->msg, path, strlen(path)) != 0)
			pb_err_prefix(e, "%s", path);
	}
	pb_file_free(buf, len);
	if (r == 0 && s->n == before)
		return pb_fail(e, PB_EVERIFY, "%s: no certificate in it", path);
	return r ? e->code : 0;
}

static int load_chain(certs *s, const opts *o, pb_err *e)
{
	for (size_t i = 0; i < o->nchain; i++)
		if (load_file(s, o->chain[i], 0, e) != 0)
			return e->code;
	return 0;
}

static void subject_text(const pb_x509 *c, char *buf, size_t cap)
{
	pb_err ignored;
	if (pb_name_to_text(c->subject, c->subject_len, buf, cap, &ignored) != 0)
		snprintf(buf, cap, "?");
}

/* Validate leaf (s->c[0]) with the rest of s as intermediates against
 * the anchors of o->kind. Prints nothing. */
static int validate(const pb_certstore *cs, const certs *s, const opts *o, pb_cs_kind kind,
	char *anchor, size_t cap, pb_err *e)
{
	pb_cs_certs *a = malloc(sizeof *a);
	pb_chain_opts co = {.at = o->at, .purpose = o->purpose};
	size_t which;
	int rc;

	if (a == NULL)
		return pb_fail(e, PB_EFAIL, "out of memory");
	rc = pb_cs_anchors(cs, kind, a, e);
	if (rc == 0 && a->n == 0)
		rc = pb_fail(e, PB_EVERIFY, "no %s anchor in the certificate store",
			kind == PB_CS_KINDS ? "trust" : pb_cs_kind_name(kind));
	if (rc == 0)
		rc = pb_chain_verify(&s->c[0], s->c + 1, s->n - 1, a->c, a->n, &co, &which, e);
	if (rc == 0) {
		char subj[256];
		subject_text(&a->c[which], subj, sizeof subj);
		snprintf(anchor, cap, "%s anchor %s", pb_cs_kind_name(a->kind[which]), subj);
	}
	free(a);
	return rc;
}

/* ------------------------------------------------------------------ */
/* subcommands */

static int open_store(const opts *o, int for_update, pb_state *st, pb_certstore *cs, pb_err *e)
{
	if (pb_state_open(st, o->cli.state_dir, e) != 0 || pb_cs_open(cs, st, for_update, e) != 0)
		return e->code;
	return 0;
}

static int cmd_add(int argc, char **argv, pb_err *e)
{
	static certs s;
	static pb_certstore cs;
	opts o;
	pb_state st;
	char hex[65], subj[256];
	uint8_t sha[32];
	int added = 0, rc;

	if (parse(&o, argc, argv, "k", 1, e) != 0)
		return e->code;
	if (o.kind == PB_CS_KINDS)
		return pb_fail(e, PB_EUSAGE, "add: needs --kind software|guestos|device");
	s.n = 0;
	if (load_file(&s, o.cli.args[0], 1, e) != 0)
		return pb_err_prefix(e, "add");
	if (gate(&o, e) != 0 || open_store(&o, 1, &st, &cs, e) != 0)
		return e->code;
	rc = pb_cs_add(&cs, o.kind, s.c[0].der, s.c[0].der_len, &added, e);
	pb_cs_close(&cs);
	if (rc != 0)
		return pb_err_prefix(e, "add: %s", o.cli.args[0]);
	pb_x509_fingerprint(&s.c[0], sha);
	pb_hex(sha, 32, hex);
	subject_text(&s.c[0], subj, sizeof subj);
	printf("%s anchor %s %s: %s\n", pb_cs_kind_name(o.kind), hex, subj, added ? "added" : "already present");
	return 0;
}

static int cmd_remove(int argc, char **argv, pb_err *e)
{
	static pb_certstore cs;
	opts o;
	pb_state st;
	uint8_t sha[32];
	int rc;

	if (parse(&o, argc, argv, "k", 1, e) != 0)
		return e->code;
	if (o.kind == PB_CS_KINDS)
		return pb_fail(e, PB_EUSAGE, "remove: needs --kind software|guestos|device");
	if (pb_sha256_parse(o.cli.args[0], sha, e) != 0)
		return pb_err_prefix(e, "remove");
	if (gate(&o, e) != 0 || open_store(&o, 1, &st, &cs, e) != 0)
		return e->code;
	rc = pb_cs_remove(&cs, o.kind, sha, e);
	pb_cs_close(&cs);
	if (rc != 0)
		return pb_err_prefix(e, "remove");
	printf("%s anchor %s: removed\n", pb_cs_kind_name(o.kind), o.cli.args[0]);
	return 0;
}

static const char *iso_time(int64_t t, char *buf, size_t cap)
{
	int64_t y;
	unsigned mo, d, h, mi, s;

	der_civil_from_epoch(t, &y, &mo, &d, &h, &mi, &s);
	snprintf(buf, cap, "%04lld-%02u-%02uT%02u:%02u:%02uZ", (long long)y, mo, d, h, mi, s);
	return buf;
}

/* One --json entry: kind (anchors), subject, sha256, not_after, key (device certificate). */
static void json_entry(const pb_cs_record *r, const char *subj, const char *hex, const char *when,
	int first)
{
	printf("%s{", first ? "" : ", ");
	if (r->type == PB_CS_ANCHOR) {
		pb_json_kv(stdout, 1, "kind", pb_cs_kind_name(r->kind));
		pb_json_kv(stdout, 0, "subject", subj);
	} else {
		pb_json_kv(stdout, 1, "subject", subj);
	}
	pb_json_kv(stdout, 0, "sha256", hex);
	pb_json_kv(stdout, 0, "not_after", when);
	if (r->type == PB_CS_DEVICE_CERT)
		pb_json_kv(stdout, 0, "key", r->keyref);
	printf("}");
}

static int cmd_list(int argc, char **argv, pb_err *e)
{
	static pb_certstore cs;
	static uint8_t der[PB_X509_MAX];
	opts o;
	pb_state st;
	int section = 0, n = 0;   /* JSON: 0 anchors, 1 device certificate, 2 chain */

	if (parse(&o, argc, argv, "", 0, e) != 0 || open_store(&o, 0, &st, &cs, e) != 0)
		return e->code;
	/* read everything first: a damaged store prints nothing but the error */
	for (size_t i = 0; i < cs.ix.n; i++) {
		pb_x509 c;
		size_t len;
		if (pb_cs_read_cert(&cs, cs.ix.r[i].sha256, der, sizeof der, &len, e) != 0 ||
		    pb_x509_parse(der, len, &c, e) != 0)
			return pb_err_prefix(e, "list");
	}
	if (o.cli.json)
		printf("{\"anchors\": [");
	for (size_t i = 0; i < cs.ix.n; i++) {
		const pb_cs_record *r = &cs.ix.r[i];
		const char *kind = r->type == PB_CS_ANCHOR ? pb_cs_kind_name(r->kind) :
			r->type == PB_CS_DEVICE_CERT ? "device-cert" : "device-chain";
		char hex[65], subj[256], when[32];
		pb_x509 c;
		size_t len;

		if (pb_cs_read_cert(&cs, r->sha256, der, sizeof der, &len, e) != 0 ||
		    pb_x509_parse(der, len, &c, e) != 0)
			return pb_err_prefix(e, "list");
		pb_hex(r->sha256, 32, hex);
		subject_text(&c, subj, sizeof subj);
		iso_time(c.not_after, when, sizeof when);
		if (!o.cli.json) {
			printf("%-12s %s %s %s", kind, when, hex, subj);
			if (r->type == PB_CS_DEVICE_CERT)
				printf(" (key %s)", r->keyref);
			printf("\n");
			n++;
			continue;
		}
		if (r->type == PB_CS_DEVICE_CERT) {
			printf("], \"device_certificate\": ");
			json_entry(r, subj, hex, when, 1);
			printf(", \"device_chain\": [");
			section = 2;
			n = 0;
			continue;
		}
		json_entry(r, subj, hex, when, n == 0);
		n++;
	}
	if (o.cli.json)
		printf(section == 2 ? "]}\n" : "], \"device_certificate\": null, \"device_chain\": []}\n");
	else if (n == 0)
		printf("(empty)\n");
	return 0;
}

static int cmd_verify(int argc, char **argv, pb_err *e)
{
	static certs s;
	static pb_certstore cs;
	opts o;
	pb_state st;
	char anchor[320];
	int rc;

	if (parse(&o, argc, argv, "kcap", 1, e) != 0)
		return e->code;
	s.n = 0;
	if (load_file(&s, o.cli.args[0], 1, e) != 0 || load_chain(&s, &o, e) != 0)
		return pb_err_prefix(e, "verify");
	if (open_store(&o, 0, &st, &cs, e) != 0)
		return e->code;
	rc = validate(&cs, &s, &o, o.kind, anchor, sizeof anchor, e);
	if (rc != 0)
		return pb_err_prefix(e, "verify: %s", o.cli.args[0]);
	printf("%s: OK (%s)\n", o.cli.args[0], anchor);
	return 0;
}

static int cmd_install(int argc, char **argv, pb_err *e)
{
	static certs s;
	static pb_certstore cs;
	opts o;
	pb_state st;
	hal_key_ref ref;
	hal_ctx *be = NULL;
	hal_open_opts ho;
	hal_cli_auth auth;
	pb_pubkey pub;
	char anchor[320], hex[65];
	uint8_t sha[32];
	int rc, changed = 0;

	if (parse(&o, argc, argv, "cC", 0, e) != 0)
		return e->code;
	if (o.cert == NULL || o.cli.key == NULL)
		return pb_fail(e, PB_EUSAGE, "install: needs --cert CERT and --key REF");
	s.n = 0;
	if (load_file(&s, o.cert, 1, e) != 0 || load_chain(&s, &o, e) != 0)
		return pb_err_prefix(e, "install");
	if (hal_key_ref_parse(o.cli.key, &ref, e) != 0)
		return pb_err_prefix(e, "install");
	if (gate(&o, e) != 0)
		return e->code;
	/* the key first: a certificate for another key is refused before
	 * anything is locked or written */
	hal_opts_from_cli(&o.cli, &ho, &auth);
	rc = hal_open_for_key(&ref, &ho, &be, e);
	if (rc == 0)
		rc = hal_key_public(be, &ref, &pub, e);
	if (be)
		hal_close(be);
	hal_cli_auth_wipe(&auth);
	if (rc != 0)
		return pb_err_prefix(e, "install: %s", o.cli.key);
	if (!pb_pubkey_equal(&pub, &s.c[0].pub))
		return pb_fail(e, PB_EVERIFY, "install: %s: its public key is not the key of %s", o.cert, o.cli.key);
	if (open_store(&o, 1, &st, &cs, e) != 0)
		return e->code;
	rc = validate(&cs, &s, &o, PB_CS_DEVICE, anchor, sizeof anchor, e);
	if (rc != 0) {
		pb_cs_close(&cs);
		return pb_err_prefix(e, "install: %s", o.cert);
	}
	rc = pb_cs_install(&cs, &s.c[0], s.c + 1, s.n - 1, o.cli.key, o.cli.force, &changed, e);
	pb_cs_close(&cs);
	if (rc != 0)
		return pb_err_prefix(e, "install");
	pb_x509_fingerprint(&s.c[0], sha);
	pb_hex(sha, 32, hex);
	printf("device certificate %s for %s (%s): %s\n", hex, o.cli.key, anchor,
		changed ? "installed" : "already installed");
	return 0;
}

static int cmd_verify_signed(int argc, char **argv, pb_err *e)
{
	static certs s;
	static pb_certstore cs;
	opts o;
	pb_state st;
	char anchor[320];
	uint8_t digest[32], *sig;
	size_t siglen;
	int rc;

	if (parse(&o, argc, argv, "kca", 3, e) != 0)
		return e->code;
	if (o.kind == PB_CS_KINDS)
		return pb_fail(e, PB_EUSAGE, "verify-signed: needs --kind (guestos for GuestOS images)");
	s.n = 0;
	if (load_file(&s, o.cli.args[2], 1, e) != 0 || load_chain(&s, &o, e) != 0)
		return pb_err_prefix(e, "verify-signed");
	if ((s.c[0].has & PB_X509_HAS_KU) && !(s.c[0].key_usage & PB_KU_DIGITAL_SIGNATURE))
		return pb_fail(e, PB_EVERIFY, "verify-signed: %s: keyUsage lacks digitalSignature", o.cli.args[2]);
	if (pb_sha256_file(o.cli.args[0], 0, digest, e) != 0)
		return pb_err_prefix(e, "verify-signed");
	if (pb_file_read(o.cli.args[1], 4096, &sig, &siglen, e) != 0)
		return pb_err_prefix(e, "verify-signed");
	rc = pb_pubkey_verify(&s.c[0].pub, PB_HASH_SHA256, digest, sizeof digest, sig, siglen);
	pb_file_free(sig, siglen);
	if (!rc)
		return pb_fail(e, PB_EVERIFY, "verify-signed: %s: signature does not verify under %s",
			o.cli.args[1], o.cli.args[2]);
	if (open_store(&o, 0, &st, &cs, e) != 0)
		return e->code;
	if (validate(&cs, &s, &o, o.kind, anchor, sizeof anchor, e) != 0)
		return pb_err_prefix(e, "verify-signed: %s", o.cli.args[2]);
	printf("%s: signature OK by %s (%s)\n", o.cli.args[0], o.cli.args[2], anchor);
	return 0;
}

static const pb_subcmd subcmds[] = {
	{"add", cmd_add},
	{"remove", cmd_remove},
	{"list", cmd_list},
	{"verify", cmd_verify},
	{"install", cmd_install},
	{"verify-signed", cmd_verify_signed},
	{NULL, NULL}
};

static int certstore_main(int argc, char **argv, pb_err *e)
{
	return pb_subcmd_run(APPLET, subcmds, argc, argv, e);
}

const pb_applet applet_certstore = {APPLET, "trust anchors and the device certificate", help,
	certstore_main};
