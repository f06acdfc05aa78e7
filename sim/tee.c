/* sim/tee.c - simulated TEE secure storage; see sim/tee.h. */
#include "sim/tee.h"

#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/file.h"
#include "core/base/lock.h"
#include "core/base/state.h"
#include "core/crypto/crypto.h"
#include "core/crypto/gcm.h"
#include "core/crypto/kdf.h"

#define MAGIC "PBTEE\0"
#define FORMAT 1
#define PIN_ITER 10000
#define CLASS_PRIVATE_KEY 3

struct sim_tee {
	char dir[PATH_MAX];        /* STATE/tee */
	uint8_t key[32];           /* storage key */
	int logged_in;
	pthread_mutex_t mu;        /* threads of one process: one call at a time */
	pb_lock lock;              /* processes: STATE/tee's lock */
	sim_tee_index ix;          /* as loaded by the current call */
};

/* ---------------------------------------------------------------- bytes */

typedef struct rd { const uint8_t *p; size_t n; } rd;

static int take(rd *r, size_t n, const uint8_t **out)
{
	if (r->n < n)
		return -1;
	*out = r->p;
	r->p += n, r->n -= n;
	return 0;
}

static int u8(rd *r, uint8_t *v)
{
	const uint8_t *p;
	if (take(r, 1, &p))
		return -1;
	*v = p[0];
	return 0;
}

static int be(rd *r, size_t n, uint64_t *v)
{
	const uint8_t *p;
	if (take(r, n, &p))
		return -1;
	*v = 0;
	for (size_t i = 0; i < n; i++)
		*v = *v << 8 | p[i];
	return 0;
}

static int copy(rd *r, void *dst, size_t n)
{
	const uint8_t *p;
	if (take(r, n, &p))
		return -1;
	memcpy(dst, p, n);
	return 0;
}

/* u8 length then that many label characters, 1..max of [A-Za-z0-9._-] */
static int label(rd *r, char *dst, size_t max)
{
	uint8_t n;
	const uint8_t *p;

	if (u8(r, &n) || n == 0 || n > max || take(r, n, &p))
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z') ||
		      (p[i] >= '0' && p[i] <= '9') || p[i] == '-' || p[i] == '_' || p[i] == '.' ||
		      p[i] == ' '))
			return -1;
	memcpy(dst, p, n);
	dst[n] = '\0';
	return 0;
}

typedef struct wr { uint8_t *p; size_t n, cap; } wr;

static void put(wr *w, const void *d, size_t n)
{
	if (w->n + n <= w->cap)
		memcpy(w->p + w->n, d, n);
	w->n += n;
}

static void put_be(wr *w, uint64_t v, size_t n)
{
	uint8_t b[8];
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	put(w, b, n);
}

static void put_label(wr *w, const char *s)
{
	put_be(w, strlen(s), 1);
	put(w, s, strlen(s));
}

static int alg_ok(uint8_t a)
{
	return a == PB_ALG_EC_P256 || a == PB_ALG_EC_P384 || a == PB_ALG_RSA_2048 || a == PB_ALG_RSA_3072;
}

/* ---------------------------------------------------------------- parsers */

int sim_tee_header_parse(const uint8_t *buf, size_t len, sim_tee_header *h, pb_err *e)
{
	rd r = {buf, len};
	const uint8_t *m;
	uint8_t kind, ver;
	uint64_t id, gen, n;

	if (take(&r, 6, &m) || memcmp(m, MAGIC, 6) != 0 || u8(&r, &kind) || u8(&r, &ver))
		return pb_fail(e, PB_EVERIFY, "not a sim TEE storage file");
	if ((kind != 'I' && kind != 'O') || ver != FORMAT)
		return pb_fail(e, PB_EVERIFY, "unknown kind or format version (%u)", ver);
	if (be(&r, 4, &id) || be(&r, 8, &gen) || take(&r, PB_GCM_IV, &h->iv) || be(&r, 4, &n))
		return pb_fail(e, PB_EVERIFY, "truncated header");
	if (r.n != n + PB_GCM_TAG)
		return pb_fail(e, PB_EVERIFY, "length %zu, header says %llu", r.n,
			(unsigned long long)n + PB_GCM_TAG);
	h->kind = kind;
	h->id = (uint32_t)id;
	h->gen = gen;
	h->ct = r.p;
	h->n = (size_t)n;
	return 0;
}

int sim_tee_file_open(const uint8_t key[32], uint8_t *buf, size_t len, sim_tee_header *h,
	uint8_t **pt, pb_err *e)
{
	if (sim_tee_header_parse(buf, len, h, e) != 0)
		return e->code;
	*pt = buf + SIM_TEE_HEADER;
	return pb_gcm_open(key, h->iv, buf, SIM_TEE_HEADER, *pt, h->n, *pt + h->n, e);
}

static int pin_parse(rd *r, sim_tee_pin *p)
{
	return u8(r, &p->tries) || p->tries > SIM_TEE_PIN_TRIES ||
	       copy(r, p->salt, sizeof p->salt) || copy(r, p->hash, sizeof p->hash) ? -1 : 0;
}

int sim_tee_index_parse(const uint8_t *pt, size_t len, sim_tee_index *ix, pb_err *e)
{
	rd r = {pt, len};
	uint64_t next, count;
	uint8_t alg;

	memset(ix, 0, sizeof *ix);
	if (u8(&r, &ix->flags) || (ix->flags & ~3u) ||
	    ((ix->flags & SIM_TEE_TOKEN_INIT) && label(&r, ix->label, SIM_TEE_LABEL_MAX)) ||
	    (!(ix->flags & SIM_TEE_TOKEN_INIT) && (ix->flags || u8(&r, &alg) || alg != 0)) ||
	    copy(&r, ix->serial, 16) || pin_parse(&r, &ix->so) || pin_parse(&r, &ix->user) ||
	    be(&r, 4, &next) || be(&r, 2, &count))
		return pb_fail(e, PB_EVERIFY, "index: malformed token record");
	for (int i = 0; i < 16; i++)
		if (!((ix->serial[i] >= '0' && ix->serial[i] <= '9') || (ix->serial[i] >= 'a' && ix->serial[i] <= 'f')))
			return pb_fail(e, PB_EVERIFY, "index: malformed serial number");
	if (count > SIM_TEE_MAX_OBJECTS)
		return pb_fail(e, PB_EVERIFY, "index: %llu objects (at most %d)", (unsigned long long)count,
			SIM_TEE_MAX_OBJECTS);
	ix->next_id = (uint32_t)next;
	ix->count = (uint16_t)count;
	for (unsigned i = 0; i < ix->count; i++) {
		sim_tee_entry *o = &ix->obj[i];
		uint64_t id;

		if (be(&r, 4, &id) || id >= ix->next_id || label(&r, o->label, SIM_TEE_KEY_LABEL_MAX) ||
		    u8(&r, &alg) || !alg_ok(alg) || be(&r, 8, &o->gen) || copy(&r, o->sha, 32))
			return pb_fail(e, PB_EVERIFY, "index: malformed object entry %u", i);
		o->id = (uint32_t)id;
		o->alg = (pb_alg)alg;
		for (unsigned j = 0; j < i; j++)
			if (ix->obj[j].id == o->id || strcmp(ix->obj[j].label, o->label) == 0)
				return pb_fail(e, PB_EVERIFY, "index: object entry %u repeats id or label", i);
	}
	if (r.n != 0)
		return pb_fail(e, PB_EVERIFY, "index: %zu bytes of trailing data", r.n);
	return 0;
}

int sim_tee_object_parse(const uint8_t *pt, size_t len, sim_tee_object *o, pb_err *e)
{
	rd r = {pt, len};
	uint8_t alg;
	uint64_t dlen;

	memset(o, 0, sizeof *o);
	if (u8(&r, &o->class_) || o->class_ != CLASS_PRIVATE_KEY || u8(&r, &alg) || !alg_ok(alg) ||
	    u8(&r, &o->attrs) || o->attrs != (SIM_TEE_SENSITIVE | SIM_TEE_LOCAL) ||
	    label(&r, o->label, SIM_TEE_KEY_LABEL_MAX) || be(&r, 2, &dlen) || take(&r, dlen, &o->der) ||
	    r.n != 0)
		return pb_fail(e, PB_EVERIFY, "object: malformed");
	o->alg = (pb_alg)alg;
	o->derlen = dlen;
	return 0;
}

void sim_tee_storage_key(const uint8_t huk[32], uint8_t key[32])
{
	static const char info[] = "provbox sim tee storage key v1";

	pb_hkdf_sha256(NULL, 0, huk, 32, info, sizeof info - 1, key, 32);
}

/* ---------------------------------------------------------------- files */

static int path_of(const sim_tee *t, const char *name, char *out, pb_err *e)
{
	if ((size_t)snprintf(out, PATH_MAX, "%s/%s", t->dir, name) >= PATH_MAX)
		return pb_fail(e, PB_EFAIL, "tee sim: path too long");
	return 0;
}

static void obj_name(uint32_t id, char *buf, size_t cap)
{
	snprintf(buf, cap, "obj.%u", (unsigned)id);
}

/* Seal plaintext pt (n bytes) into a file image: out holds n + 52. */
static int seal(const sim_tee *t, uint8_t kind, uint32_t id, uint64_t gen, const uint8_t *pt, size_t n,
	uint8_t *out, size_t *olen, pb_err *e)
{
	wr w = {out, 0, SIM_TEE_FILE_MAX};
	uint8_t iv[PB_GCM_IV];

	if (n + SIM_TEE_HEADER + PB_GCM_TAG > SIM_TEE_FILE_MAX)
		return pb_fail(e, PB_EFAIL, "tee sim: object too large");
	if (pb_random(iv, sizeof iv, e) != 0)
		return e->code;
	put(&w, MAGIC, 6);
	put_be(&w, kind, 1);
	put_be(&w, FORMAT, 1);
	put_be(&w, id, 4);
	put_be(&w, gen, 8);
	put(&w, iv, sizeof iv);
	put_be(&w, n, 4);
	put(&w, pt, n);
	pb_gcm_seal(t->key, iv, out, SIM_TEE_HEADER, out + SIM_TEE_HEADER, n, out + SIM_TEE_HEADER + n);
	*olen = SIM_TEE_HEADER + n + PB_GCM_TAG;
	return 0;
}

static void index_encode(const sim_tee_index *ix, wr *w)
{
	put_be(w, ix->flags, 1);
	if (ix->flags & SIM_TEE_TOKEN_INIT)
		put_label(w, ix->label);
	else
		put_be(w, 0, 1);
	put(w, ix->serial, 16);
	for (int k = 0; k < 2; k++) {
		const sim_tee_pin *p = k ? &ix->user : &ix->so;
		put_be(w, p->tries, 1);
		put(w, p->salt, 16);
		put(w, p->hash, 32);
	}
	put_be(w, ix->next_id, 4);
	put_be(w, ix->count, 2);
	for (unsigned i = 0; i < ix->count; i++) {
		const sim_tee_entry *o = &ix->obj[i];
		put_be(w, o->id, 4);
		put_label(w, o->label);
		put_be(w, o->alg, 1);
		put_be(w, o->gen, 8);
		put(w, o->sha, 32);
	}
}

static int index_write(sim_tee *t, pb_err *e)
{
	uint8_t pt[SIM_TEE_FILE_MAX], file[SIM_TEE_FILE_MAX];
	wr w = {pt, 0, sizeof pt};
	char path[PATH_MAX];
	size_t n;
	int rc;

	index_encode(&t->ix, &w);
	if (w.n > w.cap)
		return pb_fail(e, PB_EFAIL, "tee sim: index too large");
	rc = seal(t, 'I', 0, 0, pt, w.n, file, &n, e);
	explicit_bzero(pt, sizeof pt);
	if (rc == 0 && path_of(t, "dirf.db", path, e) == 0)
		rc = pb_atomic_write(path, file, n, 0600, e);
	return rc ? e->code : 0;
}

/* Read and open one file; buf is malloc'd (free with pb_file_free). */
static int read_file(sim_tee *t, const char *name, uint8_t **buf, size_t *len, sim_tee_header *h,
	uint8_t **pt, uint8_t sha[32], pb_err *e)
{
	char path[PATH_MAX];

	if (path_of(t, name, path, e) != 0 || pb_file_read(path, SIM_TEE_FILE_MAX, buf, len, e) != 0)
		return e->code;
	if (sha)
		pb_hash_data(PB_HASH_SHA256, *buf, *len, sha);
	if (sim_tee_file_open(t->key, *buf, *len, h, pt, e) != 0) {
		pb_file_free(*buf, *len);
		*buf = NULL;
		return pb_err_prefix(e, "tee sim: %s: integrity check failed", path);
	}
	return 0;
}

/* Load the index into t->ix (absent: a fresh, uninitialised token). */
static int index_load(sim_tee *t, pb_err *e)
{
	char path[PATH_MAX];
	uint8_t *buf, *pt;
	size_t len;
	sim_tee_header h;
	int rc;

	memset(&t->ix, 0, sizeof t->ix);
	memset(t->ix.serial, '0', 16);
	t->ix.next_id = 1;
	if (path_of(t, "dirf.db", path, e) != 0)
		return e->code;
	if (!pb_exists(path))
		return 0;
	if (read_file(t, "dirf.db", &buf, &len, &h, &pt, NULL, e) != 0)
		return e->code;
	rc = h.kind == 'I' && h.id == 0 ? sim_tee_index_parse(pt, h.n, &t->ix, e) :
	     pb_fail(e, PB_EVERIFY, "not an index");
	pb_file_free(buf, len);
	return rc ? pb_err_prefix(e, "tee sim: %s", path) : 0;
}

static sim_tee_entry *entry(sim_tee *t, const char *label)
{
	for (unsigned i = 0; i < t->ix.count; i++)
		if (strcmp(t->ix.obj[i].label, label) == 0)
			return &t->ix.obj[i];
	return NULL;
}

/* Load the private key of an entry, checking the file is the one the
 * index records (not an old copy put back, not another object's). */
static int key_load(sim_tee *t, const sim_tee_entry *o, pb_privkey *k, pb_err *e)
{
	char name[32];
	uint8_t *buf, *pt, sha[32];
	size_t len;
	sim_tee_header h;
	sim_tee_object obj;
	int rc;

	obj_name(o->id, name, sizeof name);
	if (read_file(t, name, &buf, &len, &h, &pt, sha, e) != 0)
		return e->code;
	if (!pb_ct_equal(sha, o->sha, 32) || h.kind != 'O' || h.id != o->id || h.gen != o->gen)
		rc = pb_fail(e, PB_EVERIFY, "tee sim: %s/%s: object '%s' is not the one the index"
			" records (an old or foreign copy put back?)", t->dir, name, o->label);
	else if ((rc = sim_tee_object_parse(pt, h.n, &obj, e)) != 0 ||
	         (rc = pb_privkey_parse_der(obj.der, obj.derlen, k, e)) != 0)
		pb_err_prefix(e, "tee sim: %s/%s", t->dir, name);
	else if (strcmp(obj.label, o->label) != 0 || k->alg != o->alg)
		rc = pb_fail(e, PB_EVERIFY, "tee sim: %s/%s: object does not match its index entry",
			t->dir, name);
	pb_file_free(buf, len);
	if (rc)
		pb_privkey_wipe(k);
	return rc;
}

/* ---------------------------------------------------------------- context */

int sim_tee_open(const char *state_dir, sim_tee **out, pb_err *e)
{
	pb_state st;
	sim_tee *t;
	char huk_path[PATH_MAX];
	uint8_t huk[32], *buf = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	if (pb_state_open(&st, state_dir, e) != 0)
		return e->code;
	t = calloc(1, sizeof *t);
	if (t == NULL)
		return pb_fail(e, PB_EFAIL, "tee sim: out of memory");
	t->lock.fd = -1;
	pthread_mutex_init(&t->mu, NULL);
	if (pb_state_subdir(&st, "tee", t->dir, sizeof t->dir, e) != 0 ||
	    path_of(t, "huk", huk_path, e) != 0 || pb_lock_acquire(&t->lock, t->dir, e) != 0) {
		free(t);
		return e->code;
	}
	if (!pb_exists(huk_path)) {
		rc = pb_random(huk, sizeof huk, e);
		if (rc == 0)
			rc = pb_atomic_write(huk_path, huk, sizeof huk, 0600, e);
	} else {
		rc = pb_file_read(huk_path, 64, &buf, &len, e);
		if (rc == 0 && len != sizeof huk)
			rc = pb_fail(e, PB_EVERIFY, "tee sim: %s: device secret of %zu bytes (need 32)",
				huk_path, len);
		if (rc == 0)
			memcpy(huk, buf, sizeof huk);
		if (buf)
			pb_file_free(buf, len);
	}
	pb_lock_release(&t->lock);
	if (rc == 0)
		sim_tee_storage_key(huk, t->key);
	explicit_bzero(huk, sizeof huk);
	if (rc != 0) {
		free(t);
		return rc;
	}
	*out = t;
	return 0;
}

void sim_tee_close(sim_tee *t)
{
	if (t == NULL)
		return;
	pb_lock_release(&t->lock);
	pthread_mutex_destroy(&t->mu);
	explicit_bzero(t, sizeof *t);
	free(t);
}

int sim_tee_logged_in(const sim_tee *t)
{
	return t->logged_in;
}

/* Each public call: lock, load the index, run, unlock. */
static int lock(sim_tee *t, pb_err *e)
{
	pthread_mutex_lock(&t->mu);
	if (pb_lock_acquire(&t->lock, t->dir, e) != 0) {
		pthread_mutex_unlock(&t->mu);
		return e->code;
	}
	return 0;
}

static int end(sim_tee *t, int rc)
{
	pb_lock_release(&t->lock);
	pthread_mutex_unlock(&t->mu);
	return rc;
}

static int begin(sim_tee *t, pb_err *e)
{
	if (lock(t, e) != 0)
		return e->code;
	if (index_load(t, e) != 0)
		return end(t, e->code);
	return 0;
}

/* ---------------------------------------------------------------- PINs */

static void pin_hash(const pb_secret *pin, const uint8_t salt[16], uint8_t out[32])
{
	pb_pbkdf2(&br_sha256_vtable, pin->buf, pin->len, salt, 16, PIN_ITER, out, 32);
}

static int pin_set(sim_tee_pin *p, const pb_secret *pin, pb_err *e)
{
	if (pin->len < 4)
		return pb_fail(e, PB_EAUTH, "PIN too short (at least 4 characters)");
	if (pb_random(p->salt, sizeof p->salt, e) != 0)
		return e->code;
	pin_hash(pin, p->salt, p->hash);
	p->tries = SIM_TEE_PIN_TRIES;
	return 0;
}

/* A try counts (is written) before the PIN is checked, so killing the
 * process after a wrong guess does not give the try back. */
static int pin_check(sim_tee *t, sim_tee_pin *p, const pb_secret *pin, const char *who, pb_err *e)
{
	uint8_t h[32];
	int ok;

	if (p->tries == 0)
		return pb_fail(e, PB_EAUTH, "%s PIN is locked after %d wrong tries%s", who,
			SIM_TEE_PIN_TRIES, p == &t->ix.user ? " (the SO sets a new one: tee init-pin)" :
			" (only tee reset, which wipes the token, clears it)");
	p->tries--;
	if (index_write(t, e) != 0)
		return e->code;
	pin_hash(pin, p->salt, h);
	ok = pb_ct_equal(h, p->hash, 32);
	explicit_bzero(h, sizeof h);
	if (!ok)
		return pb_fail(e, PB_EAUTH, "wrong %s PIN (%u tries left)", who, p->tries);
	p->tries = SIM_TEE_PIN_TRIES;
	return index_write(t, e);
}

static int need_token(sim_tee *t, pb_err *e)
{
	if (!(t->ix.flags & SIM_TEE_TOKEN_INIT))
		return pb_fail(e, PB_EFAIL, "tee sim: token not initialised (tee init --label L)");
	return 0;
}

/* ---------------------------------------------------------------- operations */

int sim_tee_status_get(sim_tee *t, sim_tee_status *st, pb_err *e)
{
	if (begin(t, e) != 0)
		return e->code;
	memset(st, 0, sizeof *st);
	st->initialised = !!(t->ix.flags & SIM_TEE_TOKEN_INIT);
	st->user_pin_set = !!(t->ix.flags & SIM_TEE_USER_PIN_SET);
	strcpy(st->label, t->ix.label);
	memcpy(st->serial, t->ix.serial, 16);
	st->so_tries = t->ix.so.tries;
	st->user_tries = t->ix.user.tries;
	st->objects = t->ix.count;
	strcpy(st->dir, t->dir);
	return end(t, 0);
}

/* Remove every object file and empty the index in memory. */
static int wipe_objects(sim_tee *t, pb_err *e)
{
	DIR *d = opendir(t->dir);
	struct dirent *de;
	char path[PATH_MAX];
	int rc = 0;

	if (d == NULL)
		return pb_fail(e, PB_EFAIL, "tee sim: %s: cannot list", t->dir);
	while (rc == 0 && (de = readdir(d)) != NULL)
		if (strncmp(de->d_name, "obj.", 4) == 0 && path_of(t, de->d_name, path, e) == 0)
			rc = pb_remove(path, e);
	closedir(d);
	t->ix.count = 0;
	return rc;
}

int sim_tee_init_token(sim_tee *t, const char *label, const pb_secret *so, int force, int *changed,
	pb_err *e)
{
	static const char hex[] = "0123456789abcdef";
	uint8_t serial[8];
	int rc;

	*changed = 0;
	if (label[0] == '\0' || strlen(label) > SIM_TEE_LABEL_MAX)
		return pb_fail(e, PB_EUSAGE, "token label must be 1 to %d characters", SIM_TEE_LABEL_MAX);
	for (const char *c = label; *c; c++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._- ", *c))
			return pb_fail(e, PB_EUSAGE, "token label: only letters, digits, '.', '_', '-', ' '");
	if (begin(t, e) != 0)
		return e->code;
	if (t->ix.flags & SIM_TEE_TOKEN_INIT) {
		if (!force && strcmp(t->ix.label, label) != 0)
			return end(t, pb_fail(e, PB_EFAIL, "token is initialised already as '%s'"
				" (--force re-initialises it, destroying its keys)", t->ix.label));
		if (pin_check(t, &t->ix.so, so, "SO", e) != 0)
			return end(t, e->code);
		if (!force)
			return end(t, 0);
		/* PKCS#11 C_InitToken on an initialised token: objects go */
		if (wipe_objects(t, e) != 0)
			return end(t, e->code);
	}
	rc = pin_set(&t->ix.so, so, e);
	if (rc == 0)
		rc = pb_random(serial, sizeof serial, e);
	if (rc != 0)
		return end(t, rc);
	for (int i = 0; i < 8; i++) {
		t->ix.serial[2 * i] = hex[serial[i] >> 4];
		t->ix.serial[2 * i + 1] = hex[serial[i] & 15];
	}
	strcpy(t->ix.label, label);
	t->ix.flags = SIM_TEE_TOKEN_INIT;
	memset(&t->ix.user, 0, sizeof t->ix.user);
	t->ix.count = 0;
	t->logged_in = 0;
	rc = index_write(t, e);
	*changed = rc == 0;
	return end(t, rc);
}

int sim_tee_init_pin(sim_tee *t, const pb_secret *so, const pb_secret *pin, pb_err *e)
{
	if (begin(t, e) != 0)
		return e->code;
	if (need_token(t, e) != 0 || pin_check(t, &t->ix.so, so, "SO", e) != 0 ||
	    pin_set(&t->ix.user, pin, e) != 0)
		return end(t, e->code);
	t->ix.flags |= SIM_TEE_USER_PIN_SET;
	return end(t, index_write(t, e));
}

int sim_tee_login(sim_tee *t, const pb_secret *pin, pb_err *e)
{
	if (t->logged_in)
		return 0;
	if (begin(t, e) != 0)
		return e->code;
	if (need_token(t, e) != 0)
		return end(t, e->code);
	if (!(t->ix.flags & SIM_TEE_USER_PIN_SET))
		return end(t, pb_fail(e, PB_EFAIL, "tee sim: token '%s' has no user PIN yet (tee init-pin)",
			t->ix.label));
	if (pin_check(t, &t->ix.user, pin, "user", e) != 0)
		return end(t, e->code);
	t->logged_in = 1;
	return end(t, 0);
}

static int need_login(sim_tee *t, pb_err *e)
{
	if (need_token(t, e) != 0)
		return e->code;
	if (!t->logged_in)
		return pb_fail(e, PB_EAUTH, "tee sim: user not logged in (give the user PIN)");
	return 0;
}

static void drop_entry(sim_tee *t, sim_tee_entry *o)
{
	size_t i = (size_t)(o - t->ix.obj);

	memmove(o, o + 1, (t->ix.count - i - 1) * sizeof *o);
	t->ix.count--;
}

static int keygen(sim_tee *t, const char *label, pb_alg alg, int force, pb_err *e)
{
	uint8_t pt[SIM_TEE_FILE_MAX], file[SIM_TEE_FILE_MAX];
	wr w = {pt, 0, sizeof pt};
	sim_tee_entry *old = entry(t, label), n;
	char name[32], path[PATH_MAX], oldpath[PATH_MAX] = "";
	size_t flen, dlen;
	pb_privkey k;
	int rc;

	if (!alg_ok((uint8_t)alg))
		return pb_fail(e, PB_EUSAGE, "tee sim: %s keys not supported", pb_alg_name(alg));
	if (strlen(label) > SIM_TEE_KEY_LABEL_MAX)
		return pb_fail(e, PB_EUSAGE, "tee sim: key label longer than %d", SIM_TEE_KEY_LABEL_MAX);
	if (old && !force)
		return pb_fail(e, PB_EFAIL, "key tee:%s exists in token '%s' (use --force to replace it)",
			label, t->ix.label);
	if (!old && t->ix.count == SIM_TEE_MAX_OBJECTS)
		return pb_fail(e, PB_EFAIL, "tee sim: storage full (%d objects)", SIM_TEE_MAX_OBJECTS);
	if (pb_privkey_generate(alg, &k, e) != 0)
		return e->code;
	put_be(&w, CLASS_PRIVATE_KEY, 1);
	put_be(&w, alg, 1);
	put_be(&w, SIM_TEE_SENSITIVE | SIM_TEE_LOCAL, 1);
	put_label(&w, label);
	rc = pb_privkey_to_pkcs8(&k, pt + w.n + 2, sizeof pt - w.n - 2, &dlen, e);
	pb_privkey_wipe(&k);
	if (rc == 0) {
		put_be(&w, dlen, 2);
		w.n += dlen;
		memset(&n, 0, sizeof n);
		n.id = t->ix.next_id++;
		strcpy(n.label, label);
		n.alg = alg;
		n.gen = 1;
		obj_name(n.id, name, sizeof name);
		rc = seal(t, 'O', n.id, n.gen, pt, w.n, file, &flen, e);
	}
	explicit_bzero(pt, sizeof pt);
	if (rc == 0) {
		pb_hash_data(PB_HASH_SHA256, file, flen, n.sha);
		rc = path_of(t, name, path, e);
	}
	/* the object first, then the index that names it: a crash between
	 * leaves an unreferenced file, never an entry without its object */
	if (rc == 0)
		rc = pb_atomic_write(path, file, flen, 0600, e);
	explicit_bzero(file, sizeof file);
	if (rc != 0)
		return e->code;
	if (old) {
		obj_name(old->id, name, sizeof name);
		path_of(t, name, oldpath, e);
		drop_entry(t, old);
	}
	t->ix.obj[t->ix.count++] = n;
	if (index_write(t, e) != 0)
		return e->code;
	return oldpath[0] ? pb_remove(oldpath, e) : 0;
}

int sim_tee_keygen(sim_tee *t, const char *label, pb_alg alg, int force, pb_err *e)
{
	if (begin(t, e) != 0)
		return e->code;
	if (need_login(t, e) != 0)
		return end(t, e->code);
	return end(t, keygen(t, label, alg, force, e));
}

int sim_tee_public(sim_tee *t, const char *label, pb_pubkey *pub, int *found, pb_err *e)
{
	sim_tee_entry *o;
	pb_privkey k;

	*found = 0;
	if (begin(t, e) != 0)
		return e->code;
	if ((o = entry(t, label)) == NULL)
		return end(t, 0);
	if (key_load(t, o, &k, e) != 0)
		return end(t, e->code);
	*pub = k.pub;
	*found = 1;
	pb_privkey_wipe(&k);
	return end(t, 0);
}

int sim_tee_sign(sim_tee *t, const char *label, pb_hash h, const uint8_t *digest, size_t dlen,
	uint8_t *sig, size_t cap, size_t *siglen, pb_err *e)
{
	sim_tee_entry *o;
	pb_privkey k;
	int rc;

	if (begin(t, e) != 0)
		return e->code;
	if (need_login(t, e) != 0)
		return end(t, e->code);
	if ((o = entry(t, label)) == NULL)
		return end(t, pb_fail(e, PB_EFAIL, "key tee:%s: not found in token '%s'", label, t->ix.label));
	if (key_load(t, o, &k, e) != 0)
		return end(t, e->code);
	rc = pb_privkey_sign(&k, h, digest, dlen, sig, cap, siglen, e);
	pb_privkey_wipe(&k);
	return end(t, rc);
}

int sim_tee_destroy(sim_tee *t, const char *label, int *found, pb_err *e)
{
	sim_tee_entry *o;
	char name[32], path[PATH_MAX];

	*found = 0;
	if (begin(t, e) != 0)
		return e->code;
	if (need_login(t, e) != 0)
		return end(t, e->code);
	if ((o = entry(t, label)) == NULL)
		return end(t, 0);
	*found = 1;
	obj_name(o->id, name, sizeof name);
	if (path_of(t, name, path, e) != 0)
		return end(t, e->code);
	drop_entry(t, o);
	/* the index first: a crash leaves an unreferenced file */
	if (index_write(t, e) != 0)
		return end(t, e->code);
	return end(t, pb_remove(path, e));
}

int sim_tee_list(sim_tee *t, sim_tee_list_fn fn, void *ctx, pb_err *e)
{
	if (begin(t, e) != 0)
		return e->code;
	if (need_token(t, e) != 0)
		return end(t, e->code);
	for (unsigned i = 0; i < t->ix.count; i++)
		if (fn(ctx, &t->ix.obj[i], e) != 0)
			return end(t, e->code);
	return end(t, 0);
}

int sim_tee_reset(sim_tee *t, pb_err *e)
{
	char path[PATH_MAX];
	int rc;

	if (lock(t, e) != 0)
		return e->code;
	rc = path_of(t, "dirf.db", path, e);
	/* the index first: then no entry ever names a missing object */
	if (rc == 0)
		rc = pb_remove(path, e);
	if (rc == 0)
		rc = wipe_objects(t, e);
	t->logged_in = 0;
	return end(t, rc);
}
