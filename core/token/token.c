/* core/token/token.c - the softtoken: files, PIN attempts, create, change-pin,
 * import, remove; see token.h. Container keys are in token_wrap.c, names and
 * listings in token_names.c. */
#include "core/token/token.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/base/file.h"
#include "core/crypto/kdf.h"
#include "core/asn1/name.h"
#include "core/pki/x509.h"

#define NO_EXPIRY 253402300799LL   /* 99991231235959Z, RFC 5280 4.1.2.5 */
#define WRAP_INFO "provbox token wrap secret v1"

static int path_of(char *out, const char *dir, const char *name, const char *suffix, pb_err *e)
{
	if ((size_t)snprintf(out, PATH_MAX, "%s/%s%s", dir, name, suffix) >= PATH_MAX)
		return pb_fail(e, PB_EUSAGE, "token '%s': path too long", name);
	return 0;
}

int pb_token_init(pb_token *t, const pb_state *st, const char *name, pb_err *e)
{
	memset(t, 0, sizeof *t);
	t->lock.fd = -1;
	if (pb_token_name_check("token name", name, e) != 0 ||
	    pb_state_subdir(st, "tokens", t->dir, sizeof t->dir, e) != 0)
		return e->code;
	strcpy(t->name, name);
	if (path_of(t->p12, t->dir, name, ".p12", e) != 0 ||
	    path_of(t->state, t->dir, name, ".state", e) != 0 ||
	    path_of(t->base, t->dir, name, "", e) != 0 ||
	    path_of(t->containers, t->dir, name, ".containers", e) != 0)
		return e->code;
	return 0;
}

void pb_token_close(pb_token *t)
{
	pb_lock_release(&t->lock);
}

/* Is entry "TARGET.tmp.XXXXXX", the temporary file pb_atomic_write makes
 * for dir/TARGET? */
static int temp_of(const char *entry, const char *target)
{
	size_t n = strlen(target);
	const char *tail = entry + n + 5;

	return strncmp(entry, target, n) == 0 && strncmp(entry + n, ".tmp.", 5) == 0 &&
		strlen(tail) == 6 && strchr(tail, '.') == NULL;
}

/* Remove the temporary files of a writer that was killed: only writers
 * holding this token's lock make them, so under the lock they are stale. */
static void sweep_stale(const pb_token *t)
{
	char p12[PB_TOKEN_NAME_MAX + 8], st[PB_TOKEN_NAME_MAX + 8], path[PATH_MAX];
	const char *dirs[2] = {t->dir, t->containers};

	snprintf(p12, sizeof p12, "%s.p12", t->name);
	snprintf(st, sizeof st, "%s.state", t->name);
	for (int i = 0; i < 2; i++) {
		DIR *d = opendir(dirs[i]);
		struct dirent *de;

		while (d && (de = readdir(d)) != NULL) {
			const char *tmp = strstr(de->d_name, ".wrap.tmp.");
			int stale = i == 0 ? temp_of(de->d_name, p12) || temp_of(de->d_name, st) :
				tmp != NULL && strlen(tmp) == 16 && strchr(tmp + 10, '.') == NULL;
			if (stale && (size_t)snprintf(path, sizeof path, "%s/%s", dirs[i], de->d_name) < sizeof path)
				unlink(path);
		}
		if (d)
			closedir(d);
	}
}

/* Held until pb_token_close: one operation on the token at a time. */
static int token_lock(pb_token *t, pb_err *e)
{
	if (t->lock.fd >= 0)
		return 0;
	if (pb_lock_acquire(&t->lock, t->base, e) != 0)
		return e->code;
	sweep_stale(t);
	return 0;
}

/* --- the state file --- */

int pb_token_state_parse(const char *what, const uint8_t *buf, size_t len, pb_token_state *s,
	pb_err *e)
{
	der_cursor c, seq, digs;
	der_tlv ver, fail, last, d;
	uint64_t v;
	der_status st;

	memset(s, 0, sizeof *s);
	der_cursor_init(&c, buf, len);
	if ((st = der_enter(&c, DER_SEQUENCE, &seq)) != DER_OK || (st = der_finish(&c)) != DER_OK ||
	    (st = der_expect(&seq, DER_INTEGER, &ver)) != DER_OK || (st = der_get_uint64(&ver, &v)) != DER_OK ||
	    (st = der_expect(&seq, DER_INTEGER, &fail)) != DER_OK ||
	    (st = der_get_uint64(&fail, &s->failures)) != DER_OK ||
	    (st = der_expect(&seq, DER_INTEGER, &last)) != DER_OK ||
	    (st = der_get_int64(&last, &s->last)) != DER_OK ||
	    (st = der_enter(&seq, DER_SEQUENCE, &digs)) != DER_OK || (st = der_finish(&seq)) != DER_OK)
		return der_fail(e, PB_EVERIFY, st, what);
	while (der_remaining(&digs)) {
		if ((st = der_expect(&digs, DER_OCTET_STRING, &d)) != DER_OK)
			return der_fail(e, PB_EVERIFY, st, what);
		if (d.len != 32 || s->ndig == 2)
			return pb_fail(e, PB_EVERIFY, "%s: malformed digest list", what);
		memcpy(s->dig[s->ndig++], d.val, 32);
	}
	if (v != 1)
		return pb_fail(e, PB_EVERIFY, "%s: unknown version %llu", what, (unsigned long long)v);
	return 0;
}

static int state_read(const pb_token *t, pb_token_state *s, pb_err *e)
{
	uint8_t *buf;
	size_t len;
	int rc;

	memset(s, 0, sizeof *s);
	if (!pb_exists(t->state))
		return 0;
	if (pb_file_read(t->state, 4096, &buf, &len, e) != 0)
		return e->code;
	rc = pb_token_state_parse(t->state, buf, len, s, e);
	pb_file_free(buf, len);
	return rc;
}

static int state_write(const pb_token *t, const pb_token_state *s, pb_err *e)
{
	uint8_t buf[256];
	der_writer w;
	der_status st;
	size_t len;

	der_writer_init(&w, buf, sizeof buf);
	der_begin(&w, DER_SEQUENCE);
	der_put_uint64(&w, 1);
	der_put_uint64(&w, s->failures);
	der_put_int64(&w, s->last);
	der_begin(&w, DER_SEQUENCE);
	for (size_t i = 0; i < s->ndig; i++)
		der_put_octets(&w, s->dig[i], 32);
	der_end(&w);
	der_end(&w);
	if ((st = der_writer_finish(&w, &len)) != DER_OK)
		return der_fail(e, PB_EFAIL, st, t->state);
	return pb_atomic_write(t->state, buf, len, 0600, e);
}

static int digest_known(const pb_token_state *s, const uint8_t dig[32])
{
	int known = 0;

	for (size_t i = 0; i < s->ndig; i++)
		known |= pb_ct_equal(s->dig[i], dig, 32);
	return known;
}

/* --- PIN attempts --- */

unsigned pb_token_backoff(uint64_t failures)
{
	uint64_t n;

	if (failures < PB_TOKEN_FREE_FAILURES)
		return 0;
	n = failures - PB_TOKEN_FREE_FAILURES;
	return n >= 6 ? PB_TOKEN_DELAY_MAX : (1u << n) < PB_TOKEN_DELAY_MAX ? 1u << n : PB_TOKEN_DELAY_MAX;
}

/* Wait out the back-off, then count this attempt as a failure on disk
 * before the PIN is tried. */
static int count_attempt(const pb_token *t, pb_token_state *s, pb_err *e)
{
	unsigned delay = pb_token_backoff(s->failures);
	int64_t now = (int64_t)time(NULL), due = s->last + delay;
	struct timespec ts = {0, 0};

	if (delay && now < due)
		ts.tv_sec = due - now > delay ? (time_t)delay : (time_t)(due - now);
	while (ts.tv_sec || ts.tv_nsec)
		if (nanosleep(&ts, &ts) == 0 || errno != EINTR)
			break;
	s->failures++;
	s->last = (int64_t)time(NULL);
	return state_write(t, s, e);
}

static int wrong_pin(const pb_token *t, const pb_token_state *s, int known, pb_err *e)
{
	unsigned long long n = (unsigned long long)s->failures;
	unsigned next = pb_token_backoff(s->failures);
	char wait[48] = "";

	if (!known && s->ndig > 0)
		return pb_fail(e, PB_EVERIFY, "token %s: %s was changed outside provbox and does not open "
			"with this PIN: damaged, or re-exported under another PIN", t->name, t->p12);
	if (next)
		snprintf(wait, sizeof wait, "; the next one waits %us", next);
	return pb_fail(e, PB_EAUTH, "token %s: wrong PIN (%llu failed attempt%s%s)", t->name, n,
		n == 1 ? "" : "s", wait);
}

static int derive_wrap_secret(const pb_privkey *k, uint8_t out[32], pb_err *e)
{
	uint8_t pk8[4096];
	size_t len;

	if (pb_privkey_to_pkcs8(k, pk8, sizeof pk8, &len, e) != 0)
		return e->code;
	pb_hkdf_sha256(NULL, 0, pk8, len, WRAP_INFO, sizeof WRAP_INFO - 1, out, 32);
	explicit_bzero(pk8, sizeof pk8);
	return 0;
}

/* The key pair of decoded contents, and the wrapping secret. */
static int take_keys(const pb_token *t, const pb_p12_contents *c, pb_token_keys *k, pb_err *e)
{
	const pb_p12_cert *kc = pb_p12_key_cert(c);

	if (!c->has_key)
		return pb_fail(e, PB_EVERIFY, "token %s: no private key in the PKCS#12", t->name);
	if (kc == NULL)
		return pb_fail(e, PB_EVERIFY, "token %s: no certificate of the private key", t->name);
	if (kc->len > sizeof k->cert)
		return pb_fail(e, PB_EVERIFY, "token %s: certificate larger than %d bytes", t->name,
			PB_P12_CERT_MAX);
	k->key = c->key;
	memcpy(k->cert, kc->der, kc->len);
	k->cert_len = kc->len;
	return derive_wrap_secret(&k->key, k->wrap_secret, e);
}

static int read_p12(const pb_token *t, uint8_t **buf, size_t *len, pb_err *e)
{
	if (!pb_exists(t->p12))
		return pb_fail(e, PB_EFAIL, "token %s does not exist (token create makes it)", t->name);
	return pb_file_read(t->p12, PB_FILE_MAX, buf, len, e);
}

/* Lock, count the attempt, check the PIN, open. On success s holds the
 * state with the counter reset and the file's digest recorded. */
static int token_open(pb_token *t, const pb_secret *pin, pb_token_state *s, pb_token_keys *k, pb_err *e)
{
	uint8_t *buf, dig[32];
	size_t len;
	pb_p12_pfx pfx;
	pb_p12_contents c;
	int rc;

	memset(k, 0, sizeof *k);
	if (token_lock(t, e) != 0 || state_read(t, s, e) != 0 || read_p12(t, &buf, &len, e) != 0)
		return e->code;
	pb_hash_data(PB_HASH_SHA256, buf, len, dig);
	if ((rc = pb_p12_parse(buf, len, &pfx, e)) != 0)
		pb_err_prefix(e, "token %s", t->name);
	else if ((rc = count_attempt(t, s, e)) == 0 && (rc = pb_p12_verify_mac(&pfx, pin, e)) == PB_EAUTH)
		rc = wrong_pin(t, s, digest_known(s, dig), e);
	if (rc == 0) {
		s->failures = 0;
		s->last = 0;
		s->ndig = 1;
		memcpy(s->dig[0], dig, 32);
		rc = state_write(t, s, e);
	}
	if (rc == 0 && (rc = pb_p12_decode(&pfx, pin, &c, e)) != 0)
		pb_err_prefix(e, "token %s", t->name);
	else if (rc == 0) {
		rc = take_keys(t, &c, k, e);
		pb_p12_contents_wipe(&c);
	}
	pb_file_free(buf, len);
	if (rc != 0)
		pb_token_keys_wipe(k);
	return rc;
}

int pb_token_unlock(pb_token *t, const pb_secret *pin, pb_token_keys *k, pb_err *e)
{
	pb_token_state s;

	return token_open(t, pin, &s, k, e);
}

/* --- writing a token --- */

static int pin_ok(const pb_secret *pin, pb_err *e)
{
	if (pin->len < PB_TOKEN_PIN_MIN)
		return pb_fail(e, PB_EUSAGE, "the PIN must have at least %d characters", PB_TOKEN_PIN_MIN);
	return 0;
}

/* Put a new .p12 in place so that a crash at any instant leaves a file
 * whose digest the state knows: record old and new, rename the new file
 * in, then record only the new one. */
static int commit_p12(const pb_token *t, pb_token_state *s, const uint8_t *p12, size_t len, pb_err *e)
{
	uint8_t dig[32];

	pb_hash_data(PB_HASH_SHA256, p12, len, dig);
	s->ndig = s->ndig ? 1 : 0;
	memcpy(s->dig[s->ndig++], dig, 32);
	if (state_write(t, s, e) != 0 || pb_atomic_write(t->p12, p12, len, 0600, e) != 0)
		return e->code;
	memcpy(s->dig[0], dig, 32);
	s->ndig = 1;
	return state_write(t, s, e);
}

static int write_token(const pb_token *t, pb_token_state *s, const pb_privkey *key, const uint8_t *cert,
	size_t cert_len, const pb_secret *pin, pb_err *e)
{
	static uint8_t out[PB_P12_WRITE_MAX];
	char friendly[PB_TOKEN_NAME_MAX + 16];
	pb_p12_write_params p = {key, cert, cert_len, friendly, PB_P12_ITER_DEFAULT};
	size_t len;
	int rc;

	snprintf(friendly, sizeof friendly, "provbox token %s", t->name);
	rc = pb_p12_write(&p, pin, out, sizeof out, &len, e);
	if (rc == 0)
		rc = commit_p12(t, s, out, len, e);
	explicit_bzero(out, sizeof out);
	return rc;
}

static int self_signed(const pb_token *t, const pb_privkey *k, uint8_t *cert, size_t cap,
	size_t *len, pb_err *e)
{
	char subject[PB_TOKEN_NAME_MAX + 32];
	uint8_t name[256], serial[PB_SERIAL_LEN];
	size_t nlen;
	pb_cert_tmpl tmpl;
	pb_signer s;

	snprintf(subject, sizeof subject, "/CN=provbox token %s", t->name);
	if (pb_name_from_text(subject, name, sizeof name, &nlen, e) != 0 ||
	    pb_x509_random_serial(serial, e) != 0)
		return e->code;
	memset(&tmpl, 0, sizeof tmpl);
	tmpl.serial = serial;
	tmpl.serial_len = sizeof serial;
	tmpl.issuer = tmpl.subject = name;
	tmpl.issuer_len = tmpl.subject_len = nlen;
	tmpl.not_before = (int64_t)time(NULL);
	tmpl.not_after = NO_EXPIRY;
	tmpl.subject_key = &k->pub;
	tmpl.pathlen = -1;
	tmpl.key_usage = PB_KU_DIGITAL_SIGNATURE;
	pb_signer_from_privkey(&s, k);
	if (pb_x509_encode(&tmpl, &s, cert, cap, len, e) != 0)
		return pb_err_prefix(e, "token certificate");
	return 0;
}

static int refuse_existing(const pb_token *t, int force, pb_err *e)
{
	if (!force && pb_exists(t->p12))
		return pb_fail(e, PB_EFAIL, "token %s exists (--force replaces it; keys wrapped under it "
			"are then lost)", t->name);
	return 0;
}

int pb_token_create(pb_token *t, const pb_secret *pin, pb_alg alg, int force, pb_err *e)
{
	pb_token_keys k;
	pb_token_state s = {0, 0, {{0}}, 0};
	int rc;

	memset(&k, 0, sizeof k);
	if (pin_ok(pin, e) != 0 || token_lock(t, e) != 0 || refuse_existing(t, force, e) != 0)
		return e->code;
	rc = pb_privkey_generate(alg, &k.key, e);
	if (rc == 0)
		rc = self_signed(t, &k.key, k.cert, sizeof k.cert, &k.cert_len, e);
	if (rc == 0)
		rc = write_token(t, &s, &k.key, k.cert, k.cert_len, pin, e);
	pb_token_keys_wipe(&k);
	return rc;
}

int pb_token_change_pin(pb_token *t, const pb_secret *pin, const pb_secret *new_pin, pb_err *e)
{
	pb_token_keys k;
	pb_token_state s;
	int rc;

	if (pin_ok(new_pin, e) != 0)
		return pb_err_prefix(e, "new PIN");
	if ((rc = token_open(t, pin, &s, &k, e)) != 0)
		return rc;
	rc = write_token(t, &s, &k.key, k.cert, k.cert_len, new_pin, e);
	pb_token_keys_wipe(&k);
	return rc;
}

int pb_token_import(pb_token *t, uint8_t *p12, size_t len, const pb_secret *pin, int force, pb_err *e)
{
	pb_p12_contents c;
	pb_token_keys k;
	pb_token_state s = {0, 0, {{0}}, 0};
	int rc;

	memset(&k, 0, sizeof k);
	if (pin_ok(pin, e) != 0)
		return pb_err_prefix(e, "PKCS#12 password");
	if (pb_p12_read(p12, len, pin, &c, e) != 0)
		return e->code;
	rc = take_keys(t, &c, &k, e);
	pb_p12_contents_wipe(&c);
	if (rc == 0 && (rc = token_lock(t, e)) == 0 && (rc = refuse_existing(t, force, e)) == 0)
		rc = write_token(t, &s, &k.key, k.cert, k.cert_len, pin, e);
	pb_token_keys_wipe(&k);
	return rc;
}

static int remove_container(void *ctx, const char *name, pb_err *e)
{
	const pb_token *t = ctx;
	char path[PATH_MAX];

	if (path_of(path, t->containers, name, ".wrap", e) != 0)
		return e->code;
	return pb_remove(path, e);
}

static int count_name(void *ctx, const char *name, pb_err *e)
{
	(void)name, (void)e;
	++*(size_t *)ctx;
	return 0;
}

int pb_token_remove(pb_token *t, int force, pb_err *e)
{
	size_t n = 0;

	if (token_lock(t, e) != 0)
		return e->code;
	if (!pb_exists(t->p12))
		return pb_fail(e, PB_EFAIL, "token %s does not exist", t->name);
	if (pb_container_each(t, count_name, &n, e) != 0)
		return e->code;
	if (n && !force)
		return pb_fail(e, PB_EFAIL, "token %s still wraps %zu container key%s (--force removes "
			"them with it)", t->name, n, n == 1 ? "" : "s");
	if (pb_container_each(t, remove_container, t, e) != 0)
		return e->code;
	if (pb_exists(t->containers) && rmdir(t->containers) != 0)
		return pb_fail(e, PB_EFAIL, "%s: %s", t->containers, strerror(errno));
	/* the lock file stays: a process waiting on it must not lock a new one */
	if (pb_remove(t->p12, e) != 0 || pb_remove(t->state, e) != 0)
		return e->code;
	return 0;
}

int pb_token_info_get(pb_token *t, pb_token_info *info, pb_err *e)
{
	pb_token_state s;

	memset(info, 0, sizeof *info);
	info->exists = pb_exists(t->p12);
	if (state_read(t, &s, e) != 0)
		return e->code;
	info->failures = s.failures;
	info->last_attempt = s.last;
	return 0;
}

void pb_token_keys_wipe(pb_token_keys *k)
{
	pb_privkey_wipe(&k->key);
	explicit_bzero(k, sizeof *k);
}
