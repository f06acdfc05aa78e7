/* core/pki/chain.c - certification path validation; see chain.h. */
#include <stdio.h>
#include <string.h>

#include "core/asn1/name.h"
#include "core/pki/chain.h"

static int names_equal(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	/* binary comparison: what issuing CAs copy, and what openssl falls
	 * back to; a re-encoded name is not the same issuer to us */
	return alen == blen && memcmp(a, b, alen) == 0;
}

static int same_cert(const pb_x509 *a, const pb_x509 *b)
{
	return a->der_len == b->der_len && memcmp(a->der, b->der, a->der_len) == 0;
}

static int self_issued(const pb_x509 *c)
{
	return names_equal(c->issuer, c->issuer_len, c->subject, c->subject_len);
}

/* Fail with "certificate SUBJECT: why". */
static int cert_fail(pb_err *e, const pb_x509 *c, const char *why)
{
	char name[256];
	pb_err ignored;

	if (pb_name_to_text(c->subject, c->subject_len, name, sizeof name, &ignored) != 0)
		strcpy(name, "?");
	return pb_fail(e, PB_EVERIFY, "certificate %s: %s", name, why);
}

int pb_chain_check_ca(const pb_x509 *c, pb_err *e)
{
	if (!(c->has & PB_X509_HAS_BC) || !c->is_ca)
		return cert_fail(e, c, "not a CA (basicConstraints cA is not set)");
	if (!(c->critical & PB_X509_HAS_BC))
		return cert_fail(e, c, "CA whose basicConstraints is not critical");
	if (!(c->has & PB_X509_HAS_KU))
		return cert_fail(e, c, "CA without keyUsage");
	if (!(c->key_usage & PB_KU_KEY_CERT_SIGN))
		return cert_fail(e, c, "CA whose keyUsage lacks keyCertSign");
	return 0;
}

static int check_time(const pb_x509 *c, int64_t at, pb_err *e)
{
	char when[40], msg[80];

	if (at < c->not_before) {
		snprintf(msg, sizeof msg, "not yet valid (from %s)", pb_time_text(c->not_before, when, sizeof when));
		return cert_fail(e, c, msg);
	}
	if (at > c->not_after) {
		snprintf(msg, sizeof msg, "expired (on %s)", pb_time_text(c->not_after, when, sizeof when));
		return cert_fail(e, c, msg);
	}
	return 0;
}

/* The checks of a whole path p[0] (leaf) .. p[n-1] (anchor), signatures
 * already verified while building it. */
static int check_path(const pb_x509 *const *p, size_t n, const pb_chain_opts *o, pb_err *e)
{
	for (size_t i = 0; i < n; i++) {
		const pb_x509 *c = p[i];
		if (c->unknown_critical)
			return cert_fail(e, c, "unknown critical extension");
		if (check_time(c, o->at, e) != 0)
			return e->code;
		if (i == 0)
			continue;
		if (pb_chain_check_ca(c, e) != 0)
			return e->code;
		if (c->pathlen >= 0) {
			/* CAs between it and the leaf, self-issued ones not counted */
			int below = 0;
			for (size_t j = 1; j < i; j++)
				below += !self_issued(p[j]);
			if (below > c->pathlen) {
				char msg[80];
				snprintf(msg, sizeof msg, "pathLenConstraint %d exceeded (%d CAs below it)",
					c->pathlen, below);
				return cert_fail(e, c, msg);
			}
		}
	}
	if (o->purpose && (p[0]->has & PB_X509_HAS_EKU) &&
	    !(p[0]->ext_key_usage & (o->purpose | PB_EKU_ANY))) {
		char want[64], msg[128];
		snprintf(msg, sizeof msg, "extendedKeyUsage does not allow %s",
			pb_eku_text(o->purpose, want, sizeof want));
		return cert_fail(e, p[0], msg);
	}
	return 0;
}

typedef struct search {
	const pb_x509 *inter, *anchors;
	size_t ninter, nanchors;
	const pb_chain_opts *o;
	const pb_x509 *path[PB_CHAIN_DEPTH];
	size_t anchor;
	pb_err first;          /* the first reason a candidate failed */
	int have_first;
} search;

static void remember(search *s, const pb_err *e)
{
	if (!s->have_first) {
		s->first = *e;
		s->have_first = 1;
	}
}

static int in_path(const search *s, size_t n, const pb_x509 *c)
{
	for (size_t i = 0; i < n; i++)
		if (same_cert(s->path[i], c))
			return 1;
	return 0;
}

/* Extend the path s->path[0..n) whose last element is c: 0 when a
 * complete path validated, 1 when none did (reasons in s->first). */
static int extend(search *s, size_t n)
{
	const pb_x509 *c = s->path[n - 1];
	pb_err e;

	/* anchors first: a path ends as soon as it reaches one */
	for (size_t i = 0; i < s->nanchors; i++) {
		const pb_x509 *a = &s->anchors[i];
		if (same_cert(a, c)) {
			/* c itself is trusted (the leaf or an intermediate given that
			 * is also an anchor): the path ends at it */
			if (check_path(s->path, n, s->o, &e) == 0) {
				s->anchor = i;
				return 0;
			}
			remember(s, &e);
			continue;
		}
		if (!names_equal(a->subject, a->subject_len, c->issuer, c->issuer_len))
			continue;
		if (pb_x509_verify(c, &a->pub, &e) != 0) {
			cert_fail(&e, c, "signature does not verify under the key of the anchor named as its issuer");
			remember(s, &e);
			continue;
		}
		s->path[n] = a;
		if (n + 1 <= PB_CHAIN_DEPTH && check_path(s->path, n + 1, s->o, &e) == 0) {
			s->anchor = i;
			return 0;
		}
		remember(s, &e);
	}
	if (n + 1 >= PB_CHAIN_DEPTH)
		return 1;
	for (size_t i = 0; i < s->ninter; i++) {
		const pb_x509 *x = &s->inter[i];
		if (!names_equal(x->subject, x->subject_len, c->issuer, c->issuer_len) || in_path(s, n, x))
			continue;
		if (pb_x509_verify(c, &x->pub, &e) != 0) {
			cert_fail(&e, c, "signature does not verify under the key of the certificate named as its issuer");
			remember(s, &e);
			continue;
		}
		s->path[n] = x;
		if (extend(s, n + 1) == 0)
			return 0;
	}
	return 1;
}

int pb_chain_verify(const pb_x509 *leaf, const pb_x509 *inter, size_t ninter,
	const pb_x509 *anchors, size_t nanchors, const pb_chain_opts *o, size_t *anchor,
	pb_err *e)
{
	search s = {.inter = inter, .ninter = ninter, .anchors = anchors, .nanchors = nanchors, .o = o};

	if (nanchors == 0)
		return pb_fail(e, PB_EVERIFY, "no anchor of this kind in the certificate store");
	s.path[0] = leaf;
	if (extend(&s, 1) == 0) {
		if (anchor)
			*anchor = s.anchor;
		return 0;
	}
	if (s.have_first) {
		*e = s.first;
		return e->code;
	}
	return cert_fail(e, leaf, "no path to an anchor (issuer not in the store or the chain given)");
}

int pb_purpose_parse(const char *name, unsigned *eku, pb_err *e)
{
	static const struct { const char *name; unsigned bit; } p[] = {
		{"serverAuth", PB_EKU_SERVER_AUTH},
		{"clientAuth", PB_EKU_CLIENT_AUTH},
		{"codeSigning", PB_EKU_CODE_SIGNING},
	};
	for (size_t i = 0; i < sizeof p / sizeof p[0]; i++) {
		if (strcmp(name, p[i].name) == 0) {
			*eku = p[i].bit;
			return 0;
		}
	}
	return pb_fail(e, PB_EUSAGE, "--purpose %s: one of serverAuth, clientAuth, codeSigning", name);
}

/* n decimal digits at s into *v; 0 if they are not all digits. */
static int digits(const char *s, int n, unsigned *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		*v = *v * 10 + (unsigned)(s[i] - '0');
	}
	return 1;
}

int pb_time_parse(const char *text, int64_t *t, pb_err *e)
{
	const char *s = text[0] == '@' ? text + 1 : text;
	size_t len = strlen(s);
	unsigned y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
	int ok = 0;

	if (len > 0 && len <= 12 && strspn(s, "0123456789") == len && (text[0] == '@' || len != 8)) {
		*t = 0;
		for (size_t i = 0; i < len; i++)
			*t = *t * 10 + (s[i] - '0');
		return 0;
	}
	if (len == 10 && s[4] == '-' && s[7] == '-')
		ok = digits(s, 4, &y) && digits(s + 5, 2, &mo) && digits(s + 8, 2, &d);
	else if (len == 20 && s[4] == '-' && s[7] == '-' && s[10] == 'T' && s[13] == ':' && s[16] == ':' && s[19] == 'Z')
		ok = digits(s, 4, &y) && digits(s + 5, 2, &mo) && digits(s + 8, 2, &d) &&
			digits(s + 11, 2, &h) && digits(s + 14, 2, &mi) && digits(s + 17, 2, &sec);
	else if (len == 15 && s[14] == 'Z')
		ok = digits(s, 4, &y) && digits(s + 4, 2, &mo) && digits(s + 6, 2, &d) &&
			digits(s + 8, 2, &h) && digits(s + 10, 2, &mi) && digits(s + 12, 2, &sec);
	if (!ok || y < 1950 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59)
		return pb_fail(e, PB_EUSAGE, "--at %s: want seconds since the epoch, YYYY-MM-DD, "
			"YYYY-MM-DDTHH:MM:SSZ or YYYYMMDDHHMMSSZ (UTC)", text);
	*t = der_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
	/* d <= 31 is not enough: 2026-02-31 must not quietly mean March 3 */
	{
		int64_t yy;
		unsigned m2, d2, h2, mi2, s2;
		der_civil_from_epoch(*t, &yy, &m2, &d2, &h2, &mi2, &s2);
		if (yy != y || m2 != mo || d2 != d)
			return pb_fail(e, PB_EUSAGE, "--at %s: no such date", text);
	}
	return 0;
}
