/* tests/unit/test_issue.c - issuance profiles, CA checks, one CSR, and the
 * batch file writes (pb_atomic_stage / pb_atomic_commit). */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/base/file.h"
#include "core/pki/issue.h"
#include "core/asn1/name.h"
#include "core/asn1/oid.h"

#include "tests/unit/tmpdir_run.h"

TestSuite(issue);
TestSuite(atomic_batch, .init = mk, .fini = rm);

Test(issue, profiles_set_the_extensions) {
	pb_cert_tmpl t;
	pb_profile p;
	pb_err e;
	static const struct { const char *name; int ca, pathlen; unsigned ku, eku; } want[] = {
		{"device", 0, -1, PB_KU_DIGITAL_SIGNATURE, PB_EKU_CLIENT_AUTH},
		{"server", 0, -1, PB_KU_DIGITAL_SIGNATURE, PB_EKU_SERVER_AUTH},
		{"guestos", 0, -1, PB_KU_DIGITAL_SIGNATURE, PB_EKU_CODE_SIGNING},
		{"subca", 1, 0, PB_KU_KEY_CERT_SIGN | PB_KU_CRL_SIGN, 0},
		{"rootca", 1, 1, PB_KU_KEY_CERT_SIGN | PB_KU_CRL_SIGN, 0},
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		cr_assert_eq(pb_profile_parse(want[i].name, 1, &p, &e), 0, "%s", want[i].name);
		memset(&t, 0, sizeof t);
		pb_profile_apply(p, PB_ALG_EC_P256, &t);
		cr_assert_eq(t.is_ca, want[i].ca, "%s", want[i].name);
		cr_assert_eq(t.pathlen, want[i].pathlen, "%s", want[i].name);
		cr_assert_eq(t.key_usage, want[i].ku, "%s", want[i].name);
		cr_assert_eq(t.ext_key_usage, want[i].eku, "%s", want[i].name);
	}
	pb_profile_apply(PB_PROFILE_SERVER, PB_ALG_RSA_2048, &t);
	cr_assert_eq(t.key_usage, PB_KU_DIGITAL_SIGNATURE | PB_KU_KEY_ENCIPHERMENT);
	cr_assert_eq(pb_profile_parse("rootca", 0, &p, &e), PB_EUSAGE);
	cr_assert_eq(pb_profile_parse("ca", 1, &p, &e), PB_EUSAGE);
}

/* A self-signed CA of profile p, and a CSR for a fresh key. */
typedef struct fixture {
	pb_privkey cakey, devkey;
	pb_signer ca_signer, dev_signer;
	uint8_t ca_der[PB_X509_MAX], csr_der[PB_CSR_MAX];
	pb_x509 ca;
	pb_csr csr;
} fixture;

static void setup(fixture *f, pb_profile p, const char *dev_subject)
{
	uint8_t name[256], serial[PB_SERIAL_LEN];
	size_t nlen, n;
	pb_cert_tmpl t = {0};
	pb_err e;

	cr_assert_eq(pb_privkey_generate(PB_ALG_EC_P256, &f->cakey, &e), 0);
	cr_assert_eq(pb_privkey_generate(PB_ALG_EC_P256, &f->devkey, &e), 0);
	pb_signer_from_privkey(&f->ca_signer, &f->cakey);
	pb_signer_from_privkey(&f->dev_signer, &f->devkey);
	cr_assert_eq(pb_name_from_text("/CN=CA", name, sizeof name, &nlen, &e), 0);
	cr_assert_eq(pb_x509_random_serial(serial, &e), 0);
	t = (pb_cert_tmpl){.serial = serial, .serial_len = sizeof serial, .issuer = name, .issuer_len = nlen,
		.subject = name, .subject_len = nlen, .not_before = 1700000000, .not_after = 2000000000,
		.subject_key = &f->cakey.pub};
	pb_profile_apply(p, PB_ALG_EC_P256, &t);
	cr_assert_eq(pb_x509_encode(&t, &f->ca_signer, f->ca_der, sizeof f->ca_der, &n, &e), 0, "%s", e.msg);
	cr_assert_eq(pb_x509_parse(f->ca_der, n, &f->ca, &e), 0, "%s", e.msg);
	cr_assert_eq(pb_name_from_text(dev_subject, name, sizeof name, &nlen, &e), 0);
	cr_assert_eq(pb_csr_encode(name, nlen, NULL, 0, &f->dev_signer, f->csr_der, sizeof f->csr_der, &n, &e), 0);
	cr_assert_eq(pb_csr_parse(f->csr_der, n, &f->csr, &e), 0, "%s", e.msg);
}

Test(issue, checks_the_ca) {
	static fixture f;
	pb_err e;

	setup(&f, PB_PROFILE_SUBCA, "/CN=d");
	cr_assert_eq(pb_ca_check(&f.ca, &f.ca_signer, &e), 0, "%s", e.msg);
	cr_assert_eq(pb_ca_check(&f.ca, &f.dev_signer, &e), PB_EFAIL);
	cr_assert(strstr(e.msg, "does not match"), "%s", e.msg);
	setup(&f, PB_PROFILE_DEVICE, "/CN=d");
	cr_assert_eq(pb_ca_check(&f.ca, &f.ca_signer, &e), PB_EFAIL);
	cr_assert(strstr(e.msg, "not a CA"), "%s", e.msg);
}

Test(issue, issues_a_server_certificate_named_by_the_cn) {
	static fixture f;
	uint8_t der[PB_X509_MAX];
	size_t n, pos = 0;
	pb_issue_opts o = {.profile = PB_PROFILE_SERVER, .not_before = 1700000000, .not_after = 1800000000};
	pb_general_name gn;
	pb_x509 c;
	pb_err e;

	setup(&f, PB_PROFILE_ROOTCA, "/O=o/CN=host.example");
	cr_assert_eq(pb_issue_csr(&f.ca, &f.ca_signer, &f.csr, &o, der, sizeof der, &n, &e), 0, "%s", e.msg);
	cr_assert_eq(pb_x509_parse(der, n, &c, &e), 0, "%s", e.msg);
	cr_assert_eq(pb_x509_verify(&c, &f.cakey.pub, &e), 0, "%s", e.msg);
	cr_assert(pb_pubkey_equal(&c.pub, &f.devkey.pub));
	cr_assert_eq(c.subject_len, f.csr.subject_len);
	cr_assert_eq(memcmp(c.issuer, f.ca.subject, c.issuer_len), 0);
	cr_assert_eq(c.aki_len, f.ca.ski_len);
	cr_assert_eq(memcmp(c.aki, f.ca.ski, c.aki_len), 0);
	cr_assert(pb_x509_san_next(c.san, c.san_len, &pos, &gn));
	cr_assert_eq(gn.len, 12);
	cr_assert_eq(memcmp(gn.val, "host.example", 12), 0);
	cr_assert_eq(c.ext_key_usage, PB_EKU_SERVER_AUTH);
}

Test(issue, refuses_a_csr_whose_signature_is_bad) {
	static fixture f;
	uint8_t der[PB_X509_MAX];
	size_t n;
	pb_issue_opts o = {.profile = PB_PROFILE_DEVICE, .not_before = 1700000000, .not_after = 1800000000};
	pb_err e;

	setup(&f, PB_PROFILE_SUBCA, "/CN=d");
	f.csr.pub = f.cakey.pub;   /* as if the CSR carried another key */
	cr_assert_eq(pb_issue_csr(&f.ca, &f.ca_signer, &f.csr, &o, der, sizeof der, &n, &e), PB_EVERIFY);
}

Test(issue, refuses_a_sub_ca_under_pathlen_0) {
	static fixture f;
	uint8_t der[PB_X509_MAX];
	size_t n;
	pb_issue_opts o = {.profile = PB_PROFILE_SUBCA, .not_before = 1700000000, .not_after = 1800000000};
	pb_err e;

	setup(&f, PB_PROFILE_SUBCA, "/CN=d");
	cr_assert_eq(pb_issue_csr(&f.ca, &f.ca_signer, &f.csr, &o, der, sizeof der, &n, &e), PB_EFAIL);
	setup(&f, PB_PROFILE_ROOTCA, "/CN=d");
	cr_assert_eq(pb_issue_csr(&f.ca, &f.ca_signer, &f.csr, &o, der, sizeof der, &n, &e), 0, "%s", e.msg);
}

static size_t count_tmp(void)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;
	cr_assert_not_null(d);
	while ((de = readdir(d)) != NULL)
		n += strstr(de->d_name, ".tmp.") != NULL;
	closedir(d);
	return n;
}

Test(atomic_batch, stage_then_commit_renames_all_with_their_mode) {
	char tmps[3][PATH_MAX], paths[3][PATH_MAX];
	char *tp[3];
	const char *pp[3];
	uint8_t buf[16];
	struct stat sb;
	pb_err e;

	for (int i = 0; i < 3; i++) {
		snprintf(paths[i], PATH_MAX, "%s/c%d.crt", dir, i);
		cr_assert_eq(pb_atomic_stage(paths[i], "abc", 3, 0644, tmps[i], PATH_MAX, &e), 0, "%s", e.msg);
		cr_assert_not(pb_exists(paths[i]), "staged file visible before commit");
		tp[i] = tmps[i];
		pp[i] = paths[i];
	}
	cr_assert_eq(count_tmp(), 3);
	cr_assert_eq(pb_atomic_commit(tp, pp, 3, &e), 0, "%s", e.msg);
	cr_assert_eq(count_tmp(), 0);
	for (int i = 0; i < 3; i++) {
		char name[32];
		snprintf(name, sizeof name, "c%d.crt", i);
		cr_assert_eq(get_file(name, buf, sizeof buf), 3);
		cr_assert_eq(stat(paths[i], &sb), 0);
		cr_assert_eq(sb.st_mode & 0777, 0644);
	}
}

Test(atomic_batch, a_failed_commit_leaves_no_temporary_files) {
	char tmps[2][PATH_MAX], paths[2][PATH_MAX];
	char *tp[2];
	const char *pp[2];
	pb_err e;

	snprintf(paths[0], PATH_MAX, "%s/a.crt", dir);
	snprintf(paths[1], PATH_MAX, "%s/b.crt", dir);
	for (int i = 0; i < 2; i++) {
		cr_assert_eq(pb_atomic_stage(paths[i], "x", 1, 0644, tmps[i], PATH_MAX, &e), 0);
		tp[i] = tmps[i];
		pp[i] = paths[i];
	}
	/* the second target cannot be renamed over: it is a non-empty directory */
	char sub[PATH_MAX + 8];
	cr_assert_eq(mkdir(paths[1], 0700), 0);
	snprintf(sub, sizeof sub, "%s/x", paths[1]);
	cr_assert_eq(mkdir(sub, 0700), 0);
	cr_assert_eq(pb_atomic_commit(tp, pp, 2, &e), PB_EFAIL);
	cr_assert_eq(count_tmp(), 0);
	cr_assert(pb_exists(paths[0]));
}

/* ------------------------------------------------------------------ */
/* the streamed batch: several chunks, refused CSRs in and at the edges
 * of chunks, reports in order and only once durable. Also run under
 * ThreadSanitizer by make check-tsan. */

TestSuite(issue_batch, .init = mk, .fini = rm);

#define NB (2 * PB_BATCH_CHUNK + 37)

typedef struct bctx {
	char csr[NB][96];
	char out[NB][96];
	int bad[NB];
	size_t reported;
	size_t refused;
	int order_ok, durable_ok;
} bctx;

static void b_name(void *ctx, size_t i, pb_batch_item *it)
{
	bctx *b = ctx;

	it->csr_path = b->csr[i];
	snprintf(it->out_path, sizeof it->out_path, "%s", b->out[i]);
}

static void b_done(void *ctx, size_t i, const pb_batch_item *it)
{
	bctx *b = ctx;

	if (i != b->reported)
		b->order_ok = 0;
	b->reported++;
	if (it->rc != 0)
		b->refused++;
	/* reported issued only once its file is in place */
	if ((it->rc == 0) != pb_exists(b->out[i]) || (it->rc != 0) != b->bad[i])
		b->durable_ok = 0;
}

static size_t count_tmp_in(const char *d)
{
	DIR *dd = opendir(d);
	struct dirent *de;
	size_t n = 0;
	cr_assert_not_null(dd);
	while ((de = readdir(dd)) != NULL)
		n += strstr(de->d_name, ".tmp.") != NULL;
	closedir(dd);
	return n;
}

/* NB CSR files in dir/in (bad ones where b->bad says), outputs to dir/out */
static void b_setup(fixture *f, bctx *b)
{
	char d[128];

	setup(f, PB_PROFILE_SUBCA, "/CN=batch");
	snprintf(d, sizeof d, "%s/in", dir);
	cr_assert_eq(mkdir(d, 0700), 0);
	snprintf(d, sizeof d, "%s/out", dir);
	cr_assert_eq(mkdir(d, 0700), 0);
	for (size_t i = 0; i < NB; i++) {
		char name[32];
		snprintf(name, sizeof name, "in/c%zu.csr", i);
		snprintf(b->csr[i], sizeof b->csr[i], "%s/%s", dir, name);
		snprintf(b->out[i], sizeof b->out[i], "%s/out/c%zu.crt", dir, i);
		if (b->bad[i])
			put_file(name, (const uint8_t *)"not a CSR", 9);
		else
			put_file(name, f->csr.der, f->csr.der_len);
	}
	b->order_ok = b->durable_ok = 1;
}

static void b_run(unsigned jobs)
{
	static fixture f;
	static bctx b;
	pb_issue_opts o = {.profile = PB_PROFILE_DEVICE, .not_before = 1700000000, .not_after = 1800000000};
	pb_batch_io io = {NB, b_name, b_done, &b};
	char d[128];
	pb_err e;

	memset(&b, 0, sizeof b);
	b.bad[0] = b.bad[PB_BATCH_CHUNK - 1] = b.bad[PB_BATCH_CHUNK] = b.bad[NB - 1] = 1;
	b_setup(&f, &b);
	cr_assert_eq(pb_issue_batch(&f.ca, &f.ca_signer, &o, &io, jobs, &e), PB_EVERIFY, "%s", e.msg);
	cr_assert(strstr(e.msg, "4 of 293 CSRs refused"), "%s", e.msg);
	cr_assert_eq(b.reported, NB);
	cr_assert_eq(b.refused, 4);
	cr_assert(b.order_ok, "reports out of order");
	cr_assert(b.durable_ok, "a report came before its file, or for the wrong CSR");
	snprintf(d, sizeof d, "%s/out", dir);
	cr_assert_eq(count_tmp_in(d), 0);
	/* every issued certificate is the CA's, with its own serial */
	uint8_t buf[PB_X509_MAX], prev[PB_SERIAL_LEN] = {0};
	for (size_t i = 0; i < NB; i++) {
		char name[32];
		pb_x509 c;
		size_t n;
		snprintf(name, sizeof name, "out/c%zu.crt", i);
		if (b.bad[i]) {
			cr_assert_not(pb_exists(b.out[i]), "c%zu.crt written for a bad CSR", i);
			continue;
		}
		n = get_file(name, buf, sizeof buf);
		uint8_t der[PB_X509_MAX];
		cr_assert_eq(pb_x509_load(buf, n, der, sizeof der, &c, &e), 0, "%s", e.msg);
		cr_assert_eq(pb_x509_verify(&c, &f.cakey.pub, &e), 0, "c%zu: %s", i, e.msg);
		cr_assert_eq(c.serial_len, PB_SERIAL_LEN);
		cr_assert_neq(memcmp(c.serial, prev, PB_SERIAL_LEN), 0);
		memcpy(prev, c.serial, PB_SERIAL_LEN);
	}
}

Test(issue_batch, streams_chunks_in_order_on_threads) { b_run(4); }
Test(issue_batch, streams_chunks_in_order_on_one_thread) { b_run(1); }

Test(issue_batch, a_failed_commit_stops_and_leaves_no_temporary_files) {
	static fixture f;
	static bctx b;
	pb_issue_opts o = {.profile = PB_PROFILE_DEVICE, .not_before = 1700000000, .not_after = 1800000000};
	pb_batch_io io = {NB, b_name, b_done, &b};
	char d[200];
	pb_err e;

	memset(&b, 0, sizeof b);
	b_setup(&f, &b);
	/* a non-empty directory where the second chunk's first certificate goes */
	cr_assert_eq(mkdir(b.out[PB_BATCH_CHUNK + 5], 0700), 0);
	snprintf(d, sizeof d, "%s/x", b.out[PB_BATCH_CHUNK + 5]);
	cr_assert_eq(mkdir(d, 0700), 0);
	cr_assert_eq(pb_issue_batch(&f.ca, &f.ca_signer, &o, &io, 3, &e), PB_EFAIL);
	cr_assert(strstr(e.msg, "batch stopped after 128 CSRs"), "%s", e.msg);
	/* the first chunk was committed and reported, nothing after it */
	cr_assert_eq(b.reported, PB_BATCH_CHUNK);
	cr_assert(pb_exists(b.out[PB_BATCH_CHUNK - 1]));
	cr_assert_not(pb_exists(b.out[NB - 1]));
	snprintf(d, sizeof d, "%s/out", dir);
	cr_assert_eq(count_tmp_in(d), 0);
}

Test(issue, caps_not_after_at_the_ca) {
	static fixture f;
	uint8_t der[PB_X509_MAX];
	size_t n;
	int capped;
	pb_issue_opts o = {.profile = PB_PROFILE_DEVICE, .not_before = 1700000000, .not_after = 1900000000};
	pb_x509 c;
	pb_err e;

	setup(&f, PB_PROFILE_SUBCA, "/CN=d");   /* the CA ends at 2000000000 */
	cr_assert_eq(pb_issue_cap_validity(&f.ca, &o, &capped, &e), 0);
	cr_assert_eq(capped, 0);
	cr_assert_eq(o.not_after, 1900000000);
	o.not_after = 2100000000;
	/* pb_issue_csr caps on its own */
	cr_assert_eq(pb_issue_csr(&f.ca, &f.ca_signer, &f.csr, &o, der, sizeof der, &n, &e), 0, "%s", e.msg);
	cr_assert_eq(pb_x509_parse(der, n, &c, &e), 0, "%s", e.msg);
	cr_assert_eq(c.not_after, 2000000000);
	cr_assert_eq(pb_issue_cap_validity(&f.ca, &o, &capped, &e), 0);
	cr_assert_eq(capped, 1);
	cr_assert_eq(o.not_after, 2000000000);
	/* a CA that has ended by notBefore issues nothing */
	o.not_before = 2000000000;
	cr_assert_eq(pb_issue_cap_validity(&f.ca, &o, &capped, &e), PB_EFAIL);
	cr_assert(strstr(e.msg, "expired"), "%s", e.msg);
}
