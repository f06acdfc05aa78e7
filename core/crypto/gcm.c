/* core/crypto/gcm.c - AES-256-GCM with BearSSL; see gcm.h. */
#include "core/crypto/gcm.h"

#include <string.h>

#include "core/crypto/crypto.h"

typedef union gcm_keys {
	const br_block_ctr_class *vtable;
	br_aes_x86ni_ctr_keys ni;
	br_aes_ct64_ctr_keys ct64;
} gcm_keys;

static void gcm_start(br_gcm_context *gc, gcm_keys *k, const uint8_t *key, const uint8_t *iv,
	const void *aad, size_t aadlen)
{
	const br_block_ctr_class *ctr = br_aes_x86ni_ctr_get_vtable();
	br_ghash gh = br_ghash_pclmul_get();

	if (ctr == NULL)
		ctr = &br_aes_ct64_ctr_vtable;
	ctr->init(&k->vtable, key, PB_GCM_KEY);
	br_gcm_init(gc, &k->vtable, gh ? gh : br_ghash_ctmul64);
	br_gcm_reset(gc, iv, PB_GCM_IV);
	br_gcm_aad_inject(gc, aad, aadlen);
	br_gcm_flip(gc);
}

void pb_gcm_seal(const uint8_t key[PB_GCM_KEY], const uint8_t iv[PB_GCM_IV],
	const void *aad, size_t aadlen, uint8_t *buf, size_t len, uint8_t tag[PB_GCM_TAG])
{
	br_gcm_context gc;
	gcm_keys k;

	gcm_start(&gc, &k, key, iv, aad, aadlen);
	br_gcm_run(&gc, 1, buf, len);
	br_gcm_get_tag(&gc, tag);
	explicit_bzero(&gc, sizeof gc);
	explicit_bzero(&k, sizeof k);
}

int pb_gcm_open(const uint8_t key[PB_GCM_KEY], const uint8_t iv[PB_GCM_IV],
	const void *aad, size_t aadlen, uint8_t *buf, size_t len, const uint8_t tag[PB_GCM_TAG],
	pb_err *e)
{
	br_gcm_context gc;
	gcm_keys k;
	uint32_t ok;

	gcm_start(&gc, &k, key, iv, aad, aadlen);
	br_gcm_run(&gc, 0, buf, len);
	ok = br_gcm_check_tag(&gc, tag);
	explicit_bzero(&gc, sizeof gc);
	explicit_bzero(&k, sizeof k);
	if (!ok) {
		explicit_bzero(buf, len);
		return pb_fail(e, PB_EVERIFY, "authentication tag mismatch (altered data or another key)");
	}
	return 0;
}
