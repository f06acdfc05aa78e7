/* core/token/token_wrap.c - container keys wrapped under a token; see token.h. */
#include "core/token/token.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/file.h"
#include "core/crypto/kdf.h"
#include "core/crypto/keywrap.h"

#define CKEY_MAGIC "provbox-ckey-v1\n"
#define CKEY_MAGIC_LEN (sizeof CKEY_MAGIC - 1)
#define CKEY_WRAPPED PB_CONTAINER_WRAPPED_LEN
#define CKEY_FILE_LEN (CKEY_MAGIC_LEN + CKEY_WRAPPED)
#define KEK_INFO "provbox container key v1 "

static int container_path(const pb_token *t, const char *c, char *path, pb_err *e)
{
	if (pb_token_name_check("container name", c, e) != 0)
		return e->code;
	if ((size_t)snprintf(path, PATH_MAX, "%s/%s.wrap", t->containers, c) >= PATH_MAX)
		return pb_fail(e, PB_EUSAGE, "container '%s': path too long", c);
	return 0;
}

/* KEK_C = HKDF-SHA256(IKM = W, info = KEK_INFO || C) */
static void container_kek(const uint8_t w[32], const char *c, uint8_t kek[32])
{
	char info[sizeof KEK_INFO + PB_TOKEN_NAME_MAX];
	size_t n = (size_t)snprintf(info, sizeof info, "%s%s", KEK_INFO, c);

	pb_hkdf_sha256(NULL, 0, w, 32, info, n, kek, 32);
}

int pb_container_wrap(pb_token *t, const pb_secret *pin, const char *container, int force,
	pb_err *e)
{
	char path[PATH_MAX];
	pb_token_keys k;
	uint8_t key[PB_CONTAINER_KEY_LEN], kek[32], file[CKEY_FILE_LEN];
	size_t n;
	int rc;

	if (container_path(t, container, path, e) != 0)
		return e->code;
	if ((rc = pb_token_unlock(t, pin, &k, e)) != 0)
		return rc;
	if (!force && pb_exists(path))
		rc = pb_fail(e, PB_EFAIL, "container key %s exists (--force replaces it; the old key is "
			"then lost)", container);
	if (rc == 0 && (rc = pb_random(key, sizeof key, e)) == 0) {
		container_kek(k.wrap_secret, container, kek);
		memcpy(file, CKEY_MAGIC, CKEY_MAGIC_LEN);
		rc = pb_kwp_wrap(kek, sizeof kek, key, sizeof key, file + CKEY_MAGIC_LEN, CKEY_WRAPPED, &n, e);
	}
	if (rc == 0 && (rc = pb_mkdir_p(t->containers, 0700, e)) == 0)
		rc = pb_atomic_write(path, file, sizeof file, 0600, e);
	pb_token_keys_wipe(&k);
	explicit_bzero(key, sizeof key);
	explicit_bzero(kek, sizeof kek);
	return rc;
}

int pb_container_parse(const uint8_t *buf, size_t len, uint8_t wrapped[PB_CONTAINER_WRAPPED_LEN],
	pb_err *e)
{
	if (len != CKEY_FILE_LEN || memcmp(buf, CKEY_MAGIC, CKEY_MAGIC_LEN) != 0)
		return pb_fail(e, PB_EVERIFY, "not a provbox wrapped key");
	memcpy(wrapped, buf + CKEY_MAGIC_LEN, CKEY_WRAPPED);
	return 0;
}

static int read_wrapped(const char *path, const char *c, uint8_t wrapped[CKEY_WRAPPED], pb_err *e)
{
	uint8_t *buf;
	size_t len;
	int rc;

	if (!pb_exists(path))
		return pb_fail(e, PB_EFAIL, "no container key %s (token wrap --name %s makes one)", c, c);
	if (pb_file_read(path, 4096, &buf, &len, e) != 0)
		return e->code;
	rc = pb_container_parse(buf, len, wrapped, e);
	pb_file_free(buf, len);
	if (rc != 0)
		return pb_fail(e, rc, "container key %s: %s is not a provbox wrapped key", c, path);
	return 0;
}

int pb_container_unwrap(pb_token *t, const pb_secret *pin, const char *container,
	uint8_t key[PB_CONTAINER_KEY_LEN], pb_err *e)
{
	char path[PATH_MAX];
	pb_token_keys k;
	uint8_t wrapped[CKEY_WRAPPED], kek[32];
	size_t n = 0;
	int rc;

	if (container_path(t, container, path, e) != 0 || read_wrapped(path, container, wrapped, e) != 0)
		return e->code;
	if ((rc = pb_token_unlock(t, pin, &k, e)) != 0)
		return rc;
	container_kek(k.wrap_secret, container, kek);
	rc = pb_kwp_unwrap(kek, sizeof kek, wrapped, sizeof wrapped, key, PB_CONTAINER_KEY_LEN, &n, e);
	if (rc == 0 && n != PB_CONTAINER_KEY_LEN)
		rc = pb_fail(e, PB_EVERIFY, "key unwrap: not a %d-byte key", PB_CONTAINER_KEY_LEN);
	if (rc != 0) {
		explicit_bzero(key, PB_CONTAINER_KEY_LEN);
		pb_fail(e, rc, "container key %s: integrity check failed: wrapped under another token, "
			"or damaged", container);
	}
	pb_token_keys_wipe(&k);
	explicit_bzero(kek, sizeof kek);
	return rc;
}
