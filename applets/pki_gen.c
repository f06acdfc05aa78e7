/* applets/pki_gen.c - build the PKI and issue certificates (SPEC 3, pki-gen).
 *
 * Thin: options in, core/ (x509, csr, issue, esl) and hal/ (keys) out.
 * Every key is a HAL key: init makes file: keys, issue/selfsign/sign
 * take any key reference.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/base/applet.h"
#include "core/base/cli.h"
#include "core/pki/csr.h"
#include "core/pki/esl.h"
#include "core/base/file.h"
#include "core/base/stagedir.h"
#include "core/pki/issue.h"
#include "core/asn1/name.h"
#include "core/pki/x509.h"
#include "hal/hal_cli.h"

#define APPLET "pki-gen"
#define MAX_CSR_ARGS 256

static const char help[] =
	"Usage: pki-gen SUBCOMMAND [OPTIONS]\n"
	"Build a PKI and issue certificates; keys are HAL keys (file:, tpm:, tee:, kmu:).\n"
	"\n"
	"  init --profile trustme|simple --out DIR [--alg ALG] [--days N] [--org NAME] [--force]\n"
	"      trustme: ssig_rootca -> ssig_subca, gen_rootca -> guestos_subca and dev_subca\n"
	"      (DIR/NAME.crt, DIR/NAME.key 0600) and ssig_subca.esl, whose sha256 is printed.\n"
	"      simple: ca and a TLS server certificate system. ALG: ec-p256 (default),\n"
	"      ec-p384, rsa-2048, rsa-3072. Refuses an existing PKI unless --force. Built\n"
	"      beside DIR and renamed into place: an interrupted init leaves no half PKI.\n"
	"  Example: pki-gen init --profile trustme --out pki\n"
	"\n"
	"  issue --ca PREFIX [--ca-key KEYREF] --csr FILE|DIR [--csr ...] --profile P\n"
	"        [--days N] [--san DNS:NAME|URI:U ...] [--jobs N] [--out FILE|DIR] [--der]\n"
	"      The CA is PREFIX.crt with key file:PREFIX.key (or --ca-key). P: device,\n"
	"      server, guestos, subca. Each CSR's signature is checked first; a bad one is\n"
	"      refused (exit 5) and nothing is written for it. Several CSRs, or a directory\n"
	"      (every *.csr), are issued in one process on --jobs threads (default: cores);\n"
	"      --out then names a directory and NAME.csr gives NAME.crt there. notAfter\n"
	"      never passes the CA's: --days is capped there, with a warning.\n"
	"  Example: pki-gen issue --ca pki/dev_subca --csr dev.csr --profile device --days 365 --out dev.crt\n"
	"  Example: pki-gen issue --ca pki/dev_subca --csr csrs/ --profile device --out certs/\n"
	"\n"
	"  selfsign --key KEYREF --subject /CN=.. [--profile P|rootca] [--days N] [--san ..] [--out FILE]\n"
	"  Example: pki-gen selfsign --key file:dev.key --subject /CN=serial:2026-0001 --out dev.crt\n"
	"\n"
	"  esl --cert CERT [--owner GUID] --out FILE.esl\n"
	"      EFI_SIGNATURE_LIST (X509) for the UEFI db, as efitools' cert-to-efi-sig-list.\n"
	"  Example: pki-gen esl --cert pki/ssig_subca.crt --out db.esl\n"
	"\n"
	"  sign --key KEYREF --cert CERT FILE --out FILE.sig\n"
	"      Detached DER signature (ECDSA or RSA PKCS#1 v1.5 over SHA-256) of FILE, made\n"
	"      by the key of CERT; verify with openssl dgst -sha256 -verify.\n"
	"  Example: pki-gen sign --key file:pki/ssig_subca.key --cert pki/ssig_subca.crt guestos.img --out guestos.img.sig\n"
	"\n"
	"Certificates are PEM (--der: DER), 0644; keys 0600; all written atomically.\n"
	"Exit: 0 ok, 1 failed, 2 usage, 5 bad CSR, certificate or signature.\n";

enum {
	O_PROFILE = 1, O_ALG, O_DAYS, O_CA, O_CA_KEY, O_CSR, O_SUBJECT, O_CERT, O_OWNER,
	O_JOBS, O_SAN, O_ORG
};

static const pb_option options[] = {
	{"profile", 1, O_PROFILE}, {"alg", 1, O_ALG}, {"days", 1, O_DAYS}, {"ca", 1, O_CA},
	{"ca-key", 1, O_CA_KEY}, {"csr", 1, O_CSR}, {"subject", 1, O_SUBJECT}, {"cert", 1, O_CERT},
	{"owner", 1, O_OWNER}, {"jobs", 1, O_JOBS}, {"san", 1, O_SAN}, {"org", 1, O_ORG},
	{NULL, 0, 0}
};

typedef struct opts {
	pb_cli cli;
	const char *profile, *alg, *ca, *ca_key, *subject, *cert, *owner, *org;
	const char *csr[MAX_CSR_ARGS];
	int ncsr;
	unsigned long long days, jobs;
	pb_general_name san[PB_SAN_MAX];
	size_t nsan;
} opts;

static int once(const char **slot, const char *name, const char *v, pb_err *e)
{
	if (*slot)
		return pb_fail(e, PB_EUSAGE, "--%s given twice", name);
	*slot = v;
	return 0;
}

/* "DNS:name" or "URI:uri" */
static int add_san(opts *o, const char *arg, pb_err *e)
{
	unsigned type = strncmp(arg, "DNS:", 4) == 0 ? PB_GN_DNS : strncmp(arg, "URI:", 4) == 0 ? PB_GN_URI : 0;

	if (type == 0 || arg[4] == '\0')
		return pb_fail(e, PB_EUSAGE, "--san '%s': expected DNS:NAME or URI:URI", arg);
	if (o->nsan == PB_SAN_MAX)
		return pb_fail(e, PB_EUSAGE, "--san: at most %d", PB_SAN_MAX);
	o->san[o->nsan++] = (pb_general_name){type, (const uint8_t *)arg + 4, strlen(arg + 4)};
	return 0;
}

static int on_option(void *ctx, int id, const char *arg, pb_err *e)
{
	opts *o = ctx;

	switch (id) {
	case O_PROFILE: return once(&o->profile, "profile", arg, e);
	case O_ALG: return once(&o->alg, "alg", arg, e);
	case O_CA: return once(&o->ca, "ca", arg, e);
	case O_CA_KEY: return once(&o->ca_key, "ca-key", arg, e);
	case O_SUBJECT: return once(&o->subject, "subject", arg, e);
	case O_CERT: return once(&o->cert, "cert", arg, e);
	case O_OWNER: return once(&o->owner, "owner", arg, e);
	case O_ORG: return once(&o->org, "org", arg, e);
	case O_SAN: return add_san(o, arg, e);
	case O_DAYS: return pb_cli_uint("--days", arg, 1, 36500, &o->days, e);
	case O_JOBS: return pb_cli_uint("--jobs", arg, 1, 64, &o->jobs, e);
	case O_CSR:
		if (o->ncsr == MAX_CSR_ARGS)
			return pb_fail(e, PB_EUSAGE, "--csr: at most %d (give a directory)", MAX_CSR_ARGS);
		o->csr[o->ncsr++] = arg;
		return 0;
	}
	return pb_fail(e, PB_EUSAGE, "internal: option %d", id);
}

static int parse(opts *o, int argc, char **argv, int min_args, int max_args, pb_err *e)
{
	memset(o, 0, sizeof *o);
	if (pb_cli_parse(&o->cli, APPLET, argc, argv, options, on_option, o, e) != 0)
		return e->code;
	return pb_cli_nargs(&o->cli, min_args, max_args, "argument", e);
}

/* ------------------------------------------------------------------ */
/* keys and files */

/* A HAL key ready to sign: reference, open backend, signer. */
typedef struct key {
	hal_key_ref ref;
	hal_ctx *be;
	hal_signer_ctx hctx;
	pb_signer signer;
	hal_cli_auth auth;     /* the backend's auth callback reads here */
} key;

static int key_open(const opts *o, const char *text, key *k, pb_err *e)
{
	hal_open_opts ho;

	k->be = NULL;
	hal_opts_from_cli(&o->cli, &ho, &k->auth);
	if (hal_key_ref_parse(text, &k->ref, e) != 0 ||
	    hal_open_for_key(&k->ref, &ho, &k->be, e) != 0 ||
	    hal_signer(k->be, &k->ref, &k->hctx, &k->signer, e) != 0)
		return e->code;
	return 0;
}

static void key_close(key *k)
{
	if (k->be)
		hal_close(k->be);
	k->be = NULL;
	hal_cli_auth_wipe(&k->auth);
}

static int write_cert(const char *path, const uint8_t *der, size_t len, int as_der, pb_err *e)
{
	char out[PB_X509_MAX * 4 / 3 + 256];
	size_t n;

	if (pb_cert_output(der, len, as_der, out, sizeof out, &n, e) != 0)
		return e->code;
	return pb_write_output(path, out, n, 0644, e);
}

/* A certificate file (PEM or DER) read into buf and parsed into c. */
static int read_cert(const char *path, uint8_t *buf, size_t cap, pb_x509 *c, pb_err *e)
{
	uint8_t *file;
	size_t len;
	int rc;

	if (pb_file_read(path, PB_X509_MAX * 2, &file, &len, e) != 0)
		return e->code;
	rc = pb_x509_load(file, len, buf, cap, c, e);
	if (rc == 0 && c->der == file && len > cap)
		rc = pb_fail(e, PB_EVERIFY, "certificate too large");
	else if (rc == 0 && c->der == file) {
		/* DER: keep a copy, the file buffer goes */
		memcpy(buf, file, len);
		rc = pb_x509_parse(buf, len, c, e);
	}
	pb_file_free(file, len);
	return rc ? pb_err_prefix(e, "%s", path) : 0;
}

static void tmpl_times(pb_cert_tmpl *t, unsigned long long days)
{
	t->not_before = (int64_t)time(NULL);
	t->not_after = t->not_before + (int64_t)days * 86400;
}

/* ------------------------------------------------------------------ */
/* init */

typedef struct ca_spec {
	const char *file;     /* DIR/file.crt, DIR/file.key */
	const char *cn;
	int parent;           /* index, -1: self-signed */
	pb_profile profile;
	int pathlen;
	unsigned extra_ku;
} ca_spec;

static const ca_spec trustme[] = {
	{"ssig_rootca", "Software Signing Root CA", -1, PB_PROFILE_ROOTCA, 1, 0},
	/* it signs kernel, virtualization layer and core container itself */
	{"ssig_subca", "Software Signing Sub CA", 0, PB_PROFILE_SUBCA, 0, PB_KU_DIGITAL_SIGNATURE},
	{"gen_rootca", "General Root CA", -1, PB_PROFILE_ROOTCA, 1, 0},
	{"guestos_subca", "GuestOS Signing Sub CA", 2, PB_PROFILE_SUBCA, 0, 0},
	{"dev_subca", "Device Sub CA", 2, PB_PROFILE_SUBCA, 0, 0},
	{NULL, NULL, 0, 0, 0, 0}
};

static const ca_spec simple[] = {
	{"ca", "CA", -1, PB_PROFILE_ROOTCA, 0, 0},
	{"system", "system", 0, PB_PROFILE_SERVER, -1, 0},
	{NULL, NULL, 0, 0, 0, 0}
};

/* What init prints, held until the PKI is in place. */
typedef struct said {
	char buf[2048];
	size_t len;
} said;

__attribute__((format(printf, 2, 3)))
static void say(said *w, const char *fmt, ...)
{
	va_list ap;
	int k;

	va_start(ap, fmt);
	k = vsnprintf(w->buf + w->len, sizeof w->buf - w->len, fmt, ap);
	va_end(ap);
	if (k > 0)
		w->len = w->len + (size_t)k < sizeof w->buf ? w->len + (size_t)k : sizeof w->buf - 1;
}

typedef struct made {
	key k;
	uint8_t name[512];
	size_t name_len;
	int64_t not_after;
} made;

/* One certificate and key of the PKI into dir (the staging directory). */
static int init_one(const opts *o, const char *dir, const ca_spec *s, pb_alg alg, made *all,
	size_t i, said *w, pb_err *e)
{
	static const char *const sys_dns[] = {"system", "localhost"};
	char path[PATH_MAX + 32], keyref[PATH_MAX + 40], subj[256];   /* dir < PATH_MAX */
	uint8_t serial[PB_SERIAL_LEN], der[PB_X509_MAX];
	pb_general_name san[2];
	pb_cert_tmpl t;
	made *m = &all[i], *parent = s->parent < 0 ? m : &all[s->parent];
	size_t n;

	snprintf(keyref, sizeof keyref, "file:%s/%s.key", dir, s->file);
	snprintf(subj, sizeof subj, "/O=%s/CN=%s",
		o->org ? o->org : strcmp(o->profile, "simple") == 0 ? "provbox" : "trustme", s->cn);
	hal_key_spec spec = hal_key_spec_sign(alg, 1);

	if (hal_key_ref_parse(keyref, &m->k.ref, e) != 0 || hal_open(HAL_FILE, NULL, &m->k.be, e) != 0 ||
	    hal_key_create(m->k.be, &m->k.ref, &spec, e) != 0 ||
	    hal_signer(m->k.be, &m->k.ref, &m->k.hctx, &m->k.signer, e) != 0 ||
	    pb_name_from_text(subj, m->name, sizeof m->name, &m->name_len, e) != 0 ||
	    pb_x509_random_serial(serial, e) != 0)
		return e->code;
	t = (pb_cert_tmpl){.serial = serial, .serial_len = sizeof serial, .issuer = parent->name,
		.issuer_len = parent->name_len, .subject = m->name, .subject_len = m->name_len,
		.subject_key = &m->k.signer.pub};
	tmpl_times(&t, o->days ? o->days : 3650);
	/* no certificate outlives its issuer (its clock read a moment later) */
	if (s->parent >= 0 && t.not_after > parent->not_after)
		t.not_after = parent->not_after;
	m->not_after = t.not_after;
	pb_profile_apply(s->profile, alg, &t);
	t.pathlen = s->pathlen;
	t.key_usage |= s->extra_ku;
	if (s->profile == PB_PROFILE_SERVER) {
		for (size_t j = 0; j < 2; j++)
			san[j] = (pb_general_name){PB_GN_DNS, (const uint8_t *)sys_dns[j], strlen(sys_dns[j])};
		t.san = san;
		t.san_count = 2;
	}
	snprintf(path, sizeof path, "%s/%s.crt", dir, s->file);
	if (pb_x509_encode(&t, &parent->k.signer, der, sizeof der, &n, e) != 0 ||
	    write_cert(path, der, n, o->cli.der, e) != 0)
		return pb_err_prefix(e, "%s", path);
	say(w, "%s/%s.crt: %s\n", o->cli.out, s->file, subj);
	return 0;
}

/* ssig_subca.esl for the UEFI db; says its sha256. */
static int init_esl(const char *dir, const char *shown, said *w, pb_err *e)
{
	char path[PATH_MAX + 32];
	uint8_t buf[PB_X509_MAX], esl[PB_X509_MAX + 64], zero[PB_GUID_LEN] = {0}, h[32];
	pb_x509 c;
	size_t n;

	snprintf(path, sizeof path, "%s/ssig_subca.crt", dir);
	if (read_cert(path, buf, sizeof buf, &c, e) != 0 ||
	    pb_esl_encode_x509(c.der, c.der_len, zero, esl, sizeof esl, &n, e) != 0)
		return e->code;
	snprintf(path, sizeof path, "%s/ssig_subca.esl", dir);
	if (pb_atomic_write(path, esl, n, 0644, e) != 0)
		return e->code;
	pb_hash_data(PB_HASH_SHA256, esl, n, h);
	say(w, "%s/ssig_subca.esl: sha256 ", shown);
	for (size_t i = 0; i < sizeof h; i++)
		say(w, "%02x", h[i]);
	say(w, "\n");
	return 0;
}

/* An existing PKI is kept unless --force. */
static int init_refuse_existing(const char *dir, const ca_spec *specs, int force, pb_err *e)
{
	char path[PATH_MAX];
	static const char *const ext[] = {"crt", "key"};

	for (const ca_spec *s = specs; s->file && !force; s++) {
		for (size_t j = 0; j < 2; j++) {
			snprintf(path, sizeof path, "%s/%s.%s", dir, s->file, ext[j]);
			if (pb_exists(path))
				return pb_fail(e, PB_EFAIL, "init: %s exists: a PKI is there (--force replaces it)", path);
		}
	}
	return 0;
}

/* A file name that some init profile makes. */
static int made_by_init(const char *name)
{
	static const ca_spec *const all[] = {trustme, simple};
	char f[NAME_MAX + 1];

	if (strcmp(name, "ssig_subca.esl") == 0)
		return 1;
	for (size_t i = 0; i < 2; i++) {
		for (const ca_spec *s = all[i]; s->file; s++) {
			snprintf(f, sizeof f, "%s.crt", s->file);
			if (strcmp(name, f) == 0)
				return 1;
			snprintf(f, sizeof f, "%s.key", s->file);
			if (strcmp(name, f) == 0)
				return 1;
		}
	}
	return 0;
}

static int cmd_init(int argc, char **argv, pb_err *e)
{
	opts o;
	pb_alg alg = PB_ALG_EC_P256;
	const ca_spec *specs;
	made all[8];
	said w = {.len = 0};
	pb_stagedir stage = {.lock_fd = -1};
	size_t n = 0;
	int rc = 0;

	if (parse(&o, argc, argv, 0, 0, e) != 0)
		return e->code;
	if (o.profile == NULL || o.cli.out == NULL)
		return pb_fail(e, PB_EUSAGE, "init: needs --profile trustme|simple and --out DIR");
	specs = strcmp(o.profile, "trustme") == 0 ? trustme : strcmp(o.profile, "simple") == 0 ? simple : NULL;
	if (specs == NULL)
		return pb_fail(e, PB_EUSAGE, "--profile '%s': expected trustme or simple", o.profile);
	/* the whole PKI is built beside --out and put in place at once */
	if ((o.alg && pb_alg_parse(o.alg, &alg, e) != 0) ||
	    init_refuse_existing(o.cli.out, specs, o.cli.force, e) != 0)
		return e->code;
	if ((rc = pb_stagedir_open(&stage, o.cli.out, "--out", e)) != 0)
		goto out;
	memset(all, 0, sizeof all);
	for (; specs[n].file && rc == 0; n++)
		rc = init_one(&o, stage.path, &specs[n], alg, all, n, &w, e);
	for (size_t i = 0; i < n; i++)
		key_close(&all[i].k);
	if (rc == 0 && specs == trustme)
		rc = init_esl(stage.path, o.cli.out, &w, e);
	if (rc == 0 && (rc = pb_stagedir_commit(&stage, made_by_init, e)) != 0)
		pb_err_prefix(e, "init");
	if (rc == 0)
		fputs(w.buf, stdout);
out:
	pb_stagedir_close(&stage);
	return rc;
}

/* ------------------------------------------------------------------ */
/* issue */

static int has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), k = strlen(suf);

	return n > k && strcmp(s + n - k, suf) == 0;
}

static int csr_filter(const struct dirent *d)
{
	return has_suffix(d->d_name, ".csr");
}

/* Append one CSR path (copied) to the list. */
static int list_add(char ***list, size_t *n, const char *dir, const char *name, pb_err *e)
{
	char **nl = realloc(*list, (*n + 1) * sizeof *nl);
	size_t len = (dir ? strlen(dir) + 1 : 0) + strlen(name) + 1;

	if (nl == NULL || (nl[*n] = malloc(len)) == NULL) {
		if (nl)
			*list = nl;
		return pb_fail(e, PB_EFAIL, "out of memory");
	}
	*list = nl;
	if (dir)
		snprintf(nl[*n], len, "%s/%s", dir, name);
	else
		snprintf(nl[*n], len, "%s", name);
	(*n)++;
	return 0;
}

/* Every --csr: a file, or a directory's *.csr in name order. */
static int collect_csrs(const opts *o, char ***list, size_t *n, int *is_dir, pb_err *e)
{
	struct stat st;

	*is_dir = 0;
	for (int i = 0; i < o->ncsr; i++) {
		struct dirent **ents;
		int k;

		if (stat(o->csr[i], &st) != 0 || !S_ISDIR(st.st_mode)) {
			if (list_add(list, n, NULL, o->csr[i], e) != 0)
				return e->code;
			continue;
		}
		*is_dir = 1;
		if ((k = scandir(o->csr[i], &ents, csr_filter, alphasort)) < 0)
			return pb_fail(e, PB_EFAIL, "%s: %s", o->csr[i], strerror(errno));
		int rc = 0;
		for (int j = 0; j < k; j++) {
			if (rc == 0)
				rc = list_add(list, n, o->csr[i], ents[j]->d_name, e);
			free(ents[j]);
		}
		free(ents);
		if (rc != 0)
			return rc;
	}
	return *n ? 0 : pb_fail(e, PB_EUSAGE, "issue: no CSR found");
}

/* DIR/NAME.crt for CSR path .../NAME.csr */
static int batch_out_path(const char *dir, const char *csr, char *out, size_t cap, pb_err *e)
{
	const char *base = strrchr(csr, '/');
	size_t n;

	base = base ? base + 1 : csr;
	n = strlen(base) - (has_suffix(base, ".csr") ? 4 : 0);
	if ((size_t)snprintf(out, cap, "%s/%.*s.crt", dir, (int)n, base) >= cap)
		return pb_fail(e, PB_EUSAGE, "%s: output path too long", csr);
	return 0;
}

/* How the applet names and reports the CSRs of a batch. */
typedef struct issue_names {
	const opts *o;
	char *const *paths;
	int batch;
	pb_err first;    /* the single CSR's error */
} issue_names;

static void issue_name(void *ctx, size_t i, pb_batch_item *it)
{
	const issue_names *in = ctx;
	pb_err ignored;

	it->csr_path = in->paths[i];
	if (in->batch)  /* checked before the batch: cannot fail here */
		batch_out_path(in->o->cli.out, in->paths[i], it->out_path, sizeof it->out_path, &ignored);
	else if (in->o->cli.out)
		snprintf(it->out_path, sizeof it->out_path, "%s", in->o->cli.out);
}

static void issue_done(void *ctx, size_t i, const pb_batch_item *it)
{
	issue_names *in = ctx;

	if (it->rc == 0)
		return;
	if (in->batch)
		pb_warn(APPLET, "%s: refused: %s", it->csr_path, it->err.msg);
	else if (i == 0)
		in->first = it->err;
}

static int issue_run(const opts *o, const pb_x509 *ca, key *k, char **paths, size_t n, int batch,
	pb_err *e)
{
	pb_issue_opts io = {0};
	issue_names in = {o, paths, batch, {0, ""}};
	pb_batch_io bio = {n, issue_name, issue_done, &in};
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	char out[PATH_MAX], when[40];
	int rc, capped;

	if (pb_profile_parse(o->profile, 0, &io.profile, e) != 0)
		return e->code;
	io.san = o->san;
	io.san_count = o->nsan;
	io.der = o->cli.der;
	io.not_before = (int64_t)time(NULL);
	io.not_after = io.not_before + (int64_t)(o->days ? o->days : 365) * 86400;
	if (pb_issue_cap_validity(ca, &io, &capped, e) != 0)
		return e->code;
	if (capped)
		pb_warn(APPLET, "notAfter capped at the CA's (%s)", pb_time_text(io.not_after, when, sizeof when));
	/* every output name before any work: a bad one is a usage error */
	for (size_t i = 0; batch && i < n; i++)
		if (batch_out_path(o->cli.out, paths[i], out, sizeof out, e) != 0)
			return e->code;
	if (batch && pb_mkdir_p(o->cli.out, 0755, e) != 0)
		return e->code;
	/* only a backend that says so signs from many threads */
	unsigned jobs = o->jobs ? (unsigned)o->jobs : cores > 0 ? (unsigned)cores : 1;
	if (!(hal_caps(k->be) & HAL_CAP_SIGN_THREADSAFE))
		jobs = 1;
	rc = pb_issue_batch(ca, &k->signer, &io, &bio, jobs, e);
	if (rc != 0 && !batch && in.first.code != 0) {
		*e = in.first;
		rc = pb_err_prefix(e, "%s", paths[0]);
	}
	return rc;
}

static int cmd_issue(int argc, char **argv, pb_err *e)
{
	opts o;
	char cert_path[PATH_MAX], keyref[PATH_MAX + 8], **paths = NULL;
	uint8_t cabuf[PB_X509_MAX];
	pb_x509 ca;
	key k = {0};
	size_t n = 0;
	int is_dir, rc;

	if (parse(&o, argc, argv, 0, 0, e) != 0)
		return e->code;
	if (o.ca == NULL || o.ncsr == 0 || o.profile == NULL)
		return pb_fail(e, PB_EUSAGE, "issue: needs --ca PREFIX, --csr and --profile");
	snprintf(cert_path, sizeof cert_path, "%s.crt", o.ca);
	snprintf(keyref, sizeof keyref, "file:%s.key", o.ca);
	rc = collect_csrs(&o, &paths, &n, &is_dir, e);
	/* several CSRs, a CSR directory or an existing output directory */
	struct stat sb;
	int batch = n > 1 || is_dir || (o.cli.out && stat(o.cli.out, &sb) == 0 && S_ISDIR(sb.st_mode));
	if (rc == 0 && batch && o.cli.out == NULL)
		rc = pb_fail(e, PB_EUSAGE, "issue: several CSRs need --out DIR");
	if (rc == 0)
		rc = read_cert(cert_path, cabuf, sizeof cabuf, &ca, e);
	if (rc == 0)
		rc = key_open(&o, o.ca_key ? o.ca_key : keyref, &k, e);
	if (rc == 0)
		rc = pb_ca_check(&ca, &k.signer, e);
	if (rc == 0)
		rc = issue_run(&o, &ca, &k, paths, n, batch, e);
	key_close(&k);
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	return rc;
}

/* ------------------------------------------------------------------ */
/* selfsign, esl, sign */

static int cmd_selfsign(int argc, char **argv, pb_err *e)
{
	opts o;
	key k = {0};
	pb_profile p = PB_PROFILE_DEVICE;
	uint8_t name[512], serial[PB_SERIAL_LEN], der[PB_X509_MAX];
	size_t nlen, n;
	pb_cert_tmpl t;
	int rc;

	if (parse(&o, argc, argv, 0, 0, e) != 0)
		return e->code;
	if (o.cli.key == NULL || o.subject == NULL)
		return pb_fail(e, PB_EUSAGE, "selfsign: needs --key and --subject");
	if ((o.profile && pb_profile_parse(o.profile, 1, &p, e) != 0) ||
	    pb_name_from_text(o.subject, name, sizeof name, &nlen, e) != 0 ||
	    pb_x509_random_serial(serial, e) != 0)
		return e->code;
	if ((rc = key_open(&o, o.cli.key, &k, e)) == 0) {
		t = (pb_cert_tmpl){.serial = serial, .serial_len = sizeof serial, .issuer = name,
			.issuer_len = nlen, .subject = name, .subject_len = nlen, .subject_key = &k.signer.pub,
			.san = o.san, .san_count = o.nsan};
		tmpl_times(&t, o.days ? o.days : 365);
		pb_profile_apply(p, k.signer.pub.alg, &t);
		rc = pb_x509_encode(&t, &k.signer, der, sizeof der, &n, e);
		if (rc == 0)
			rc = write_cert(o.cli.out, der, n, o.cli.der, e);
	}
	key_close(&k);
	return rc;
}

static int cmd_esl(int argc, char **argv, pb_err *e)
{
	opts o;
	uint8_t buf[PB_X509_MAX], esl[PB_X509_MAX + 64], owner[PB_GUID_LEN] = {0};
	pb_x509 c;
	size_t n;

	if (parse(&o, argc, argv, 0, 0, e) != 0)
		return e->code;
	if (o.cert == NULL)
		return pb_fail(e, PB_EUSAGE, "esl: needs --cert");
	if ((o.owner && pb_guid_parse(o.owner, owner, e) != 0) ||
	    read_cert(o.cert, buf, sizeof buf, &c, e) != 0 ||
	    pb_esl_encode_x509(c.der, c.der_len, owner, esl, sizeof esl, &n, e) != 0)
		return e->code;
	return pb_write_output(o.cli.out, esl, n, 0644, e);
}

static int cmd_sign(int argc, char **argv, pb_err *e)
{
	opts o;
	key k = {0};
	uint8_t buf[PB_X509_MAX], digest[32], sig[PB_SIG_MAX];
	pb_x509 c;
	size_t n;
	int rc;

	if (parse(&o, argc, argv, 1, 1, e) != 0)
		return e->code;
	if (o.cli.key == NULL || o.cert == NULL)
		return pb_fail(e, PB_EUSAGE, "sign: needs --key, --cert and a FILE");
	if (read_cert(o.cert, buf, sizeof buf, &c, e) != 0)
		return e->code;
	if ((c.has & PB_X509_HAS_KU) && !(c.key_usage & PB_KU_DIGITAL_SIGNATURE))
		return pb_fail(e, PB_EFAIL, "sign: %s: keyUsage lacks digitalSignature", o.cert);
	rc = key_open(&o, o.cli.key, &k, e);
	if (rc == 0 && !pb_pubkey_equal(&k.signer.pub, &c.pub))
		rc = pb_fail(e, PB_EFAIL, "sign: the key is not the key of %s", o.cert);
	if (rc == 0)
		rc = pb_sha256_file(o.cli.args[0], 1, digest, e);
	if (rc == 0)
		rc = hal_key_sign(k.be, &k.ref, PB_HASH_SHA256, digest, sizeof digest, sig, sizeof sig, &n, e);
	if (rc == 0)
		rc = pb_write_output(o.cli.out, sig, n, 0644, e);
	key_close(&k);
	return rc;
}

static const pb_subcmd subcmds[] = {
	{"init", cmd_init},
	{"issue", cmd_issue},
	{"selfsign", cmd_selfsign},
	{"esl", cmd_esl},
	{"sign", cmd_sign},
	{NULL, NULL}
};

static int pki_gen_main(int argc, char **argv, pb_err *e)
{
	return pb_subcmd_run(APPLET, subcmds, argc, argv, e);
}

const pb_applet applet_pki_gen = {APPLET, "build the PKI and issue certificates", help, pki_gen_main};
