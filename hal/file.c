/* hal/file.c - the file: backend: software keys in PEM files.
 *
 * For a provisioning station's CA keys and for development. Keys are
 * written as unencrypted PKCS#8 "PRIVATE KEY" PEM, mode 0600, atomically;
 * SEC1 and PKCS#1 files made by openssl are read too. The last key used
 * is kept parsed in the context (wiped on close), so that issuing a
 * thousand certificates parses the CA key once; a mutex makes that safe
 * for the threads of a batch.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/file.h"
#include "core/asn1/pem.h"
#include "hal/hal.h"

typedef struct file_ctx {
	hal_base base;
	pthread_mutex_t lock;
	char path[PATH_MAX];   /* path of the cached key, "" if none */
	pb_privkey key;
} file_ctx;

static file_ctx *ctx_of(hal_ctx *be)
{
	return (file_ctx *)(void *)be;
}

/* Load (or reuse) the key at ref; called with the lock held. */
static int load(file_ctx *c, const hal_key_ref *ref, pb_err *e)
{
	uint8_t *buf;
	size_t len;
	int rc;

	if (c->path[0] && strcmp(c->path, ref->name) == 0)
		return 0;
	c->path[0] = '\0';
	pb_privkey_wipe(&c->key);
	if (pb_file_read(ref->name, 1u << 20, &buf, &len, e) != 0)
		return e->code;
	rc = pb_privkey_load(buf, len, &c->key, e);
	pb_file_free(buf, len);
	if (rc != 0)
		return pb_err_prefix(e, "%s", ref->name);
	strcpy(c->path, ref->name);
	return 0;
}

static int file_key_create(hal_ctx *be, const hal_key_ref *ref, const hal_key_spec *spec, pb_err *e)
{
	file_ctx *c = ctx_of(be);
	pb_privkey k;
	uint8_t der[4096];
	char pem[6144];
	size_t dlen, plen;
	int rc;

	/* a file can be rewritten by anyone who can write it: no write-once,
	 * no push-only, nothing but a persistent signing key */
	if (spec->usage != HAL_USAGE_SIGN || !spec->persistent || spec->policy != 0)
		return pb_fail(e, PB_EUSAGE, "file backend: only persistent signing keys without policy");
	if (!spec->force && pb_exists(ref->name))
		return pb_fail(e, PB_EFAIL, "%s: key exists (use --force to replace it)", ref->name);
	if (pb_privkey_generate(spec->alg, &k, e) != 0)
		return e->code;
	rc = pb_privkey_to_pkcs8(&k, der, sizeof der, &dlen, e);
	if (rc == 0)
		rc = pem_encode("PRIVATE KEY", der, dlen, pem, sizeof pem, &plen, e);
	if (rc == 0)
		rc = pb_atomic_write(ref->name, pem, plen, 0600, e);
	pthread_mutex_lock(&c->lock);
	if (rc == 0) {
		c->key = k;
		strcpy(c->path, ref->name);
	}
	pthread_mutex_unlock(&c->lock);
	pb_privkey_wipe(&k);
	explicit_bzero(der, sizeof der);
	explicit_bzero(pem, sizeof pem);
	return rc;
}

static int file_key_public(hal_ctx *be, const hal_key_ref *ref, pb_pubkey *out, int *found,
	pb_err *e)
{
	file_ctx *c = ctx_of(be);
	int rc;

	*found = 0;
	if (!pb_exists(ref->name))
		return 0;
	pthread_mutex_lock(&c->lock);
	rc = load(c, ref, e);
	if (rc == 0) {
		*out = c->key.pub;
		*found = 1;
	}
	pthread_mutex_unlock(&c->lock);
	return rc;
}

static int file_key_sign(hal_ctx *be, const hal_key_ref *ref, pb_hash h, const uint8_t *digest,
	size_t dlen, uint8_t *sig, size_t cap, size_t *siglen, pb_err *e)
{
	file_ctx *c = ctx_of(be);
	pb_privkey k;
	int rc;


	/* sign with a private copy: another thread may load another key */
	pthread_mutex_lock(&c->lock);
	rc = load(c, ref, e);
	if (rc == 0)
		k = c->key;
	pthread_mutex_unlock(&c->lock);
	if (rc != 0)
		return rc;
	rc = pb_privkey_sign(&k, h, digest, dlen, sig, cap, siglen, e);
	pb_privkey_wipe(&k);
	return rc;
}

static int file_key_destroy(hal_ctx *be, const hal_key_ref *ref, pb_err *e)
{
	file_ctx *c = ctx_of(be);

	if (!pb_exists(ref->name))
		return pb_fail(e, PB_EFAIL, "%s: no such key", ref->name);
	pthread_mutex_lock(&c->lock);
	if (strcmp(c->path, ref->name) == 0) {
		c->path[0] = '\0';
		pb_privkey_wipe(&c->key);
	}
	pthread_mutex_unlock(&c->lock);
	return pb_remove(ref->name, e);
}

static int file_random(hal_ctx *be, uint8_t *buf, size_t len, pb_err *e)
{
	(void)be;
	return pb_random(buf, len, e);
}

static void file_close(hal_ctx *be)
{
	file_ctx *c = ctx_of(be);

	pthread_mutex_destroy(&c->lock);
	explicit_bzero(c, sizeof *c);
	free(c);
}

/* Private keys are in plain files: extractable by design, and one
 * parsed copy per signature makes signing thread-safe. */
static const hal_backend_class file_class = {
	.name = "file",
	.caps = HAL_CAP_SIGN_THREADSAFE,
	.key_create = file_key_create,
	.key_public = file_key_public,
	.key_sign = file_key_sign,
	.key_destroy = file_key_destroy,
	.random = file_random,
	/* no key_list (keys are anywhere in the file system), no protected NV
	 * and no lifecycle: a file cannot refuse a rollback */
	.close = file_close,
};

int hal_file_open(const hal_open_opts *o, hal_ctx **be, pb_err *e)
{
	file_ctx *c;

	*be = NULL;
	c = calloc(1, sizeof *c);
	if (c == NULL)
		return pb_fail(e, PB_EFAIL, "file backend: out of memory");
	hal_base_init(&c->base, &file_class, o);
	pthread_mutex_init(&c->lock, NULL);
	*be = &c->base.vtable;
	return 0;
}
