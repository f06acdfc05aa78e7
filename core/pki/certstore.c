/* core/pki/certstore.c - the certificate store; see certstore.h. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/file.h"
#include "core/pki/certstore.h"

#define INDEX_MAGIC "provbox-certstore 1"

static const char *const kind_names[PB_CS_KINDS] = {"software", "guestos", "device"};

const char *pb_cs_kind_name(pb_cs_kind k)
{
	return (unsigned)k < PB_CS_KINDS ? kind_names[k] : "?";
}

int pb_cs_kind_parse(const char *name, pb_cs_kind *k, pb_err *e)
{
	for (unsigned i = 0; i < PB_CS_KINDS; i++) {
		if (strcmp(name, kind_names[i]) == 0) {
			*k = (pb_cs_kind)i;
			return 0;
		}
	}
	return pb_fail(e, PB_EUSAGE, "kind '%s': one of software, guestos, device", name);
}

void pb_hex(const uint8_t *b, size_t n, char *out)
{
	static const char d[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = d[b[i] >> 4];
		out[2 * i + 1] = d[b[i] & 15];
	}
	out[2 * n] = '\0';
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
		c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Exactly 64 lowercase hex digits (the index's own form). */
static int hex64_strict(const char *s, size_t len, uint8_t out[32])
{
	if (len != 64)
		return -1;
	for (size_t i = 0; i < 32; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
		if (hi < 0 || lo < 0 || (s[2 * i] >= 'A' && s[2 * i] <= 'F') ||
		    (s[2 * i + 1] >= 'A' && s[2 * i + 1] <= 'F'))
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

int pb_sha256_parse(const char *text, uint8_t out[32], pb_err *e)
{
	size_t n = 0;

	for (const char *p = text; *p; p++) {
		if (*p == ':')
			continue;
		int hi = hexval(*p), lo = p[1] ? hexval(p[1]) : -1;
		if (hi < 0 || lo < 0 || n == 32)
			return pb_fail(e, PB_EUSAGE, "fingerprint '%s': want 64 hex digits (SHA-256)", text);
		out[n++] = (uint8_t)(hi << 4 | lo);
		p++;
	}
	if (n != 32)
		return pb_fail(e, PB_EUSAGE, "fingerprint '%s': want 64 hex digits (SHA-256)", text);
	return 0;
}

/* ------------------------------------------------------------------ */
/* the index file */

static int keyref_ok(const char *s, size_t len)
{
	if (len == 0 || len >= PB_CS_KEYREF_MAX)
		return 0;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f)
			return 0;
	return 1;
}

/* Split line into at most 3 words on single spaces; returns the count
 * or -1 (empty word: a double, leading or trailing space). */
static int words(const char *line, size_t len, const char **w, size_t *wl)
{
	int n = 0;
	size_t start = 0;

	for (size_t i = 0; i <= len; i++) {
		if (i < len && line[i] != ' ')
			continue;
		if (i == start || n == 3)
			return -1;
		w[n] = line + start;
		wl[n] = i - start;
		n++;
		start = i + 1;
	}
	return n;
}

static int word_is(const char *w, size_t wl, const char *lit)
{
	return wl == strlen(lit) && memcmp(w, lit, wl) == 0;
}

static int parse_record(const char *line, size_t len, pb_cs_record *r)
{
	const char *w[3];
	size_t wl[3];
	int n = words(line, len, w, wl);

	memset(r, 0, sizeof *r);
	if (n == 3 && word_is(w[0], wl[0], "anchor")) {
		unsigned k;
		for (k = 0; k < PB_CS_KINDS; k++)
			if (word_is(w[1], wl[1], kind_names[k]))
				break;
		if (k == PB_CS_KINDS)
			return -1;
		r->type = PB_CS_ANCHOR;
		r->kind = (pb_cs_kind)k;
		return hex64_strict(w[2], wl[2], r->sha256);
	}
	if (n == 3 && word_is(w[0], wl[0], "device-cert")) {
		if (!keyref_ok(w[2], wl[2]))
			return -1;
		r->type = PB_CS_DEVICE_CERT;
		memcpy(r->keyref, w[2], wl[2]);
		return hex64_strict(w[1], wl[1], r->sha256);
	}
	if (n == 2 && word_is(w[0], wl[0], "device-chain")) {
		r->type = PB_CS_DEVICE_CHAIN;
		return hex64_strict(w[1], wl[1], r->sha256);
	}
	return -1;
}

/* Records in a valid order: anchors unique per (kind, digest); at most
 * one device-cert; device-chain only right after it or another chain. */
static int check_order(const pb_cs_index *ix, size_t i)
{
	const pb_cs_record *r = &ix->r[i];

	if (r->type == PB_CS_DEVICE_CHAIN)
		return i > 0 && ix->r[i - 1].type != PB_CS_ANCHOR ? 0 : -1;
	for (size_t j = 0; j < i; j++) {
		const pb_cs_record *q = &ix->r[j];
		if (r->type == PB_CS_DEVICE_CERT && q->type == PB_CS_DEVICE_CERT)
			return -1;
		if (r->type == PB_CS_ANCHOR && q->type == PB_CS_ANCHOR && q->kind == r->kind &&
		    memcmp(q->sha256, r->sha256, 32) == 0)
			return -1;
		if (r->type == PB_CS_ANCHOR && q->type != PB_CS_ANCHOR)
			return -1;   /* anchors come first */
	}
	return 0;
}

int pb_cs_index_parse(const uint8_t *buf, size_t len, pb_cs_index *ix, pb_err *e)
{
	const char *text = (const char *)buf;
	size_t pos = 0, line_no = 0;
	uint8_t want[32], got[32];

	ix->n = 0;
	if (len > PB_CS_INDEX_MAX)
		return pb_fail(e, PB_EVERIFY, "certstore index: %zu bytes, too large", len);
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t l;
		if (nl == NULL)
			return pb_fail(e, PB_EVERIFY, "certstore index: line %zu: not terminated", line_no + 1);
		l = (size_t)(nl - (text + pos));
		line_no++;
		if (memchr(text + pos, '\0', l) != NULL)
			return pb_fail(e, PB_EVERIFY, "certstore index: line %zu: NUL byte", line_no);
		if (line_no == 1) {
			if (!word_is(text + pos, l, INDEX_MAGIC))
				return pb_fail(e, PB_EVERIFY, "certstore index: not a version 1 index (first line)");
		} else if (l == 71 && memcmp(text + pos, "sha256 ", 7) == 0) {
			if (hex64_strict(text + pos + 7, 64, want) != 0)
				return pb_fail(e, PB_EVERIFY, "certstore index: line %zu: bad checksum line", line_no);
			if (pos + l + 1 != len)
				return pb_fail(e, PB_EVERIFY, "certstore index: data after the checksum line");
			pb_hash_data(PB_HASH_SHA256, buf, pos, got);
			if (memcmp(want, got, 32) != 0)
				return pb_fail(e, PB_EVERIFY, "certstore index: checksum does not match (damaged)");
			return 0;
		} else {
			if (ix->n == PB_CS_MAX)
				return pb_fail(e, PB_EVERIFY, "certstore index: more than %d records", PB_CS_MAX);
			if (parse_record(text + pos, l, &ix->r[ix->n]) != 0 || check_order(ix, ix->n) != 0)
				return pb_fail(e, PB_EVERIFY, "certstore index: line %zu: malformed or out of order",
					line_no);
			ix->n++;
		}
		pos += l + 1;
	}
	return pb_fail(e, PB_EVERIFY, "certstore index: no checksum line (truncated)");
}

int pb_cs_index_encode(const pb_cs_index *ix, char *out, size_t cap, size_t *len, pb_err *e)
{
	size_t n = 0;
	uint8_t sum[32];
	char hex[65];
	int w;

#define PUT(...) do { \
		w = snprintf(out + n, cap - n, __VA_ARGS__); \
		if (w < 0 || (size_t)w >= cap - n) \
			return pb_fail(e, PB_EFAIL, "certstore index: too large"); \
		n += (size_t)w; \
	} while (0)

	PUT("%s\n", INDEX_MAGIC);
	for (size_t i = 0; i < ix->n; i++) {
		const pb_cs_record *r = &ix->r[i];
		pb_hex(r->sha256, 32, hex);
		if (r->type == PB_CS_ANCHOR)
			PUT("anchor %s %s\n", kind_names[r->kind], hex);
		else if (r->type == PB_CS_DEVICE_CERT)
			PUT("device-cert %s %s\n", hex, r->keyref);
		else
			PUT("device-chain %s\n", hex);
	}
	pb_hash_data(PB_HASH_SHA256, out, n, sum);
	pb_hex(sum, 32, hex);
	PUT("sha256 %s\n", hex);
#undef PUT
	*len = n;
	return 0;
}

/* ------------------------------------------------------------------ */
/* the store */

/* Remove the temporary files of writers that were killed ("NAME.tmp.XXXXXX"
 * of pb_atomic_write): only holders of the store's lock make them, so
 * under the lock they are stale. */
static void sweep_stale(const pb_certstore *cs)
{
	const char *dirs[2] = {cs->dir, cs->certs};
	char path[PATH_MAX];

	for (int i = 0; i < 2; i++) {
		DIR *d = opendir(dirs[i]);
		struct dirent *de;

		while (d && (de = readdir(d)) != NULL) {
			const char *t = strstr(de->d_name, ".tmp.");
			if (t && strlen(t) == 11 && strchr(t + 5, '.') == NULL &&
			    (size_t)snprintf(path, sizeof path, "%s/%s", dirs[i], de->d_name) < sizeof path)
				unlink(path);
		}
		if (d)
			closedir(d);
	}
}

int pb_cs_open(pb_certstore *cs, const pb_state *st, int for_update, pb_err *e)
{
	struct stat sb;
	uint8_t *buf;
	size_t len;
	int rc;

	memset(cs, 0, sizeof *cs);
	cs->lock.fd = -1;
	if (pb_state_subdir(st, "certstore", cs->dir, sizeof cs->dir, e) != 0 ||
	    pb_state_subdir(st, "certstore/certs", cs->certs, sizeof cs->certs, e) != 0 ||
	    pb_state_path(st, "certstore/index", cs->index, sizeof cs->index, e) != 0)
		return e->code;
	if (for_update) {
		if (pb_lock_acquire(&cs->lock, cs->index, e) != 0)
			return e->code;
		cs->locked = 1;
		sweep_stale(cs);
	}
	if (!pb_exists(cs->index))
		return 0;
	cs->exists = 1;
	if (stat(cs->index, &sb) == 0 && sb.st_size > PB_CS_INDEX_MAX) {
		pb_cs_close(cs);
		return pb_fail(e, PB_EVERIFY, "%s: %lld bytes, too large for an index (damaged)", cs->index,
			(long long)sb.st_size);
	}
	if (pb_file_read(cs->index, 2 * PB_CS_INDEX_MAX, &buf, &len, e) != 0) {
		pb_cs_close(cs);
		return e->code;
	}
	rc = pb_cs_index_parse(buf, len, &cs->ix, e);
	pb_file_free(buf, len);
	if (rc != 0) {
		pb_err_prefix(e, "%s", cs->index);
		pb_cs_close(cs);
	}
	return rc;
}

void pb_cs_close(pb_certstore *cs)
{
	if (cs->locked)
		pb_lock_release(&cs->lock);
	cs->locked = 0;
}

int pb_cs_present(const pb_state *st)
{
	char path[PATH_MAX];
	pb_err e;

	return pb_state_path(st, "certstore/index", path, sizeof path, &e) == 0 && pb_exists(path);
}

static int cert_path(const pb_certstore *cs, const uint8_t sha256[32], char *out, size_t cap)
{
	char hex[65];

	pb_hex(sha256, 32, hex);
	return (size_t)snprintf(out, cap, "%s/%s.der", cs->certs, hex) < cap ? 0 : -1;
}

int pb_cs_read_cert(const pb_certstore *cs, const uint8_t sha256[32], uint8_t *buf, size_t cap,
	size_t *len, pb_err *e)
{
	char path[PATH_MAX];
	uint8_t *data, got[32];
	size_t n;

	if (cert_path(cs, sha256, path, sizeof path) != 0)
		return pb_fail(e, PB_EFAIL, "certstore: path too long");
	if (!pb_exists(path))
		return pb_fail(e, PB_EVERIFY, "certstore: %s: missing (the index names it)", path);
	if (pb_file_read(path, cap, &data, &n, e) != 0)
		return pb_err_prefix(e, "certstore");
	pb_hash_data(PB_HASH_SHA256, data, n, got);
	if (memcmp(got, sha256, 32) != 0) {
		pb_file_free(data, n);
		return pb_fail(e, PB_EVERIFY, "certstore: %s: content does not match its digest (damaged)", path);
	}
	memcpy(buf, data, n);
	*len = n;
	pb_file_free(data, n);
	return 0;
}

/* Write the certificate file for der unless it is there with the right content. */
static int store_cert(const pb_certstore *cs, const uint8_t *der, size_t len, pb_err *e)
{
	char path[PATH_MAX];
	uint8_t sha[32], *old;
	size_t oldlen;

	pb_hash_data(PB_HASH_SHA256, der, len, sha);
	if (cert_path(cs, sha, path, sizeof path) != 0)
		return pb_fail(e, PB_EFAIL, "certstore: path too long");
	if (pb_exists(path) && pb_file_read(path, PB_X509_MAX, &old, &oldlen, e) == 0) {
		int same = oldlen == len && memcmp(old, der, len) == 0;
		pb_file_free(old, oldlen);
		if (same)
			return 0;
	}
	return pb_atomic_write(path, der, len, 0600, e);
}

static int write_index(pb_certstore *cs, const pb_cs_index *ix, pb_err *e)
{
	static char buf[PB_CS_INDEX_MAX];
	size_t len;

	if (!cs->locked)
		return pb_fail(e, PB_EFAIL, "internal: certstore change without its lock");
	if (pb_cs_index_encode(ix, buf, sizeof buf, &len, e) != 0 ||
	    pb_atomic_write(cs->index, buf, len, 0600, e) != 0)
		return e->code;
	cs->ix = *ix;
	cs->exists = 1;
	return 0;
}

/* Is any record of ix other than skip about this digest? */
static int referenced(const pb_cs_index *ix, const uint8_t sha[32])
{
	for (size_t i = 0; i < ix->n; i++)
		if (memcmp(ix->r[i].sha256, sha, 32) == 0)
			return 1;
	return 0;
}

/* Remove certificate files no record names any more (best effort: a
 * leftover file is harmless, the index decides). */
static void drop_unreferenced(const pb_certstore *cs, const pb_cs_index *old, const pb_cs_index *now)
{
	char path[PATH_MAX];
	pb_err ignored;

	for (size_t i = 0; i < old->n; i++)
		if (!referenced(now, old->r[i].sha256) && cert_path(cs, old->r[i].sha256, path, sizeof path) == 0)
			pb_remove(path, &ignored);
}

int pb_cs_add(pb_certstore *cs, pb_cs_kind kind, const uint8_t *der, size_t len, int *added,
	pb_err *e)
{
	static pb_cs_index ix;
	pb_x509 c;
	uint8_t sha[32];
	size_t anchors = 0;

	*added = 0;
	if (pb_x509_parse(der, len, &c, e) != 0 || pb_chain_check_ca(&c, e) != 0)
		return e->code;
	pb_hash_data(PB_HASH_SHA256, der, len, sha);
	for (size_t i = 0; i < cs->ix.n; i++) {
		const pb_cs_record *r = &cs->ix.r[i];
		if (r->type != PB_CS_ANCHOR)
			continue;
		anchors++;
		if (r->kind == kind && memcmp(r->sha256, sha, 32) == 0)
			return 0;   /* already there: re-runnable */
	}
	if (cs->ix.n == PB_CS_MAX)
		return pb_fail(e, PB_EFAIL, "certstore: full (%d records)", PB_CS_MAX);
	/* the new anchor goes after the other anchors, before the device records */
	ix.n = 0;
	for (size_t i = 0; i < anchors; i++)
		ix.r[ix.n++] = cs->ix.r[i];
	memset(&ix.r[ix.n], 0, sizeof ix.r[0]);
	ix.r[ix.n].type = PB_CS_ANCHOR;
	ix.r[ix.n].kind = kind;
	memcpy(ix.r[ix.n].sha256, sha, 32);
	ix.n++;
	for (size_t i = anchors; i < cs->ix.n; i++)
		ix.r[ix.n++] = cs->ix.r[i];
	if (store_cert(cs, der, len, e) != 0 || write_index(cs, &ix, e) != 0)
		return e->code;
	*added = 1;
	return 0;
}

int pb_cs_remove(pb_certstore *cs, pb_cs_kind kind, const uint8_t sha256[32], pb_err *e)
{
	static pb_cs_index ix, old;
	char hex[65];
	int found = 0;

	ix.n = 0;
	for (size_t i = 0; i < cs->ix.n; i++) {
		const pb_cs_record *r = &cs->ix.r[i];
		if (r->type == PB_CS_ANCHOR && r->kind == kind && memcmp(r->sha256, sha256, 32) == 0)
			found = 1;
		else
			ix.r[ix.n++] = *r;
	}
	if (!found) {
		pb_hex(sha256, 32, hex);
		return pb_fail(e, PB_EFAIL, "no %s anchor with sha256 %s", pb_cs_kind_name(kind), hex);
	}
	old = cs->ix;
	if (write_index(cs, &ix, e) != 0)
		return e->code;
	drop_unreferenced(cs, &old, &ix);
	return 0;
}

int pb_cs_anchors(const pb_certstore *cs, pb_cs_kind kind, pb_cs_certs *out, pb_err *e)
{
	out->n = 0;
	for (size_t i = 0; i < cs->ix.n; i++) {
		const pb_cs_record *r = &cs->ix.r[i];
		size_t len;
		if (r->type != PB_CS_ANCHOR || (kind != PB_CS_KINDS && r->kind != kind))
			continue;
		if (pb_cs_read_cert(cs, r->sha256, out->der[out->n], PB_X509_MAX, &len, e) != 0)
			return e->code;
		if (pb_x509_parse(out->der[out->n], len, &out->c[out->n], e) != 0)
			return pb_err_prefix(e, "certstore: anchor");
		out->kind[out->n] = r->kind;
		out->n++;
	}
	return 0;
}

int pb_cs_install(pb_certstore *cs, const pb_x509 *cert, const pb_x509 *chain, size_t nchain,
	const char *keyref, int force, int *changed, pb_err *e)
{
	static pb_cs_index ix, old;
	uint8_t sha[32];
	size_t cur = cs->ix.n, keep = 0;

	*changed = 0;
	if (!keyref_ok(keyref, strlen(keyref)))
		return pb_fail(e, PB_EUSAGE, "key reference '%s': empty, too long or with spaces", keyref);
	pb_x509_fingerprint(cert, sha);
	for (size_t i = 0; i < cs->ix.n; i++) {
		if (cs->ix.r[i].type == PB_CS_DEVICE_CERT) {
			cur = i;
			break;
		}
	}
	/* the same certificate, key and chain: nothing to do */
	if (cur < cs->ix.n) {
		const pb_cs_record *r = &cs->ix.r[cur];
		int same = memcmp(r->sha256, sha, 32) == 0 && strcmp(r->keyref, keyref) == 0 &&
			cs->ix.n - cur - 1 == nchain;
		for (size_t i = 0; same && i < nchain; i++) {
			uint8_t s2[32];
			pb_x509_fingerprint(&chain[i], s2);
			same = memcmp(cs->ix.r[cur + 1 + i].sha256, s2, 32) == 0;
		}
		if (same)
			return 0;
		if (!force)
			return pb_fail(e, PB_EFAIL, "another device certificate is installed (--force replaces it)");
	}
	if (cur + 1 + nchain > PB_CS_MAX)
		return pb_fail(e, PB_EFAIL, "certstore: full (%d records)", PB_CS_MAX);
	for (size_t i = 0; i < cs->ix.n && cs->ix.r[i].type == PB_CS_ANCHOR; i++)
		keep = i + 1;
	ix.n = 0;
	for (size_t i = 0; i < keep; i++)
		ix.r[ix.n++] = cs->ix.r[i];
	memset(&ix.r[ix.n], 0, sizeof ix.r[0]);
	ix.r[ix.n].type = PB_CS_DEVICE_CERT;
	memcpy(ix.r[ix.n].sha256, sha, 32);
	strcpy(ix.r[ix.n].keyref, keyref);
	ix.n++;
	if (store_cert(cs, cert->der, cert->der_len, e) != 0)
		return e->code;
	for (size_t i = 0; i < nchain; i++) {
		memset(&ix.r[ix.n], 0, sizeof ix.r[0]);
		ix.r[ix.n].type = PB_CS_DEVICE_CHAIN;
		pb_x509_fingerprint(&chain[i], ix.r[ix.n].sha256);
		ix.n++;
		if (store_cert(cs, chain[i].der, chain[i].der_len, e) != 0)
			return e->code;
	}
	old = cs->ix;
	if (write_index(cs, &ix, e) != 0)
		return e->code;
	drop_unreferenced(cs, &old, &ix);
	*changed = 1;
	return 0;
}
