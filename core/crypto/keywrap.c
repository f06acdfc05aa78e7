/* core/crypto/keywrap.c - RFC 5649 over BearSSL AES; see keywrap.h.
 *
 * The AES block function is the CBC implementation of core/crypto.h run
 * on one block with a zero IV (that is ECB), so the choice of constant-
 * time code stays in one place.
 */
#include "core/crypto/keywrap.h"

#include <string.h>

#include "core/crypto/crypto.h"

static const uint8_t kwp_magic[4] = {0xA6, 0x59, 0x59, 0xA6};

size_t pb_kwp_wrapped_len(size_t len)
{
	return (len + 7) / 8 * 8 + 8;
}

static int kek_ok(size_t keklen)
{
	return keklen == 16 || keklen == 24 || keklen == 32;
}

static void xor_counter(uint8_t a[8], uint64_t t)
{
	for (int i = 7; i >= 0; i--, t >>= 8)
		a[i] ^= (uint8_t)t;
}

static void block_enc(const br_block_cbcenc_class **k, uint8_t b[16])
{
	uint8_t iv[16] = {0};

	(*k)->run(k, iv, b, 16);
}

static void block_dec(const br_block_cbcdec_class **k, uint8_t b[16])
{
	uint8_t iv[16] = {0};

	(*k)->run(k, iv, b, 16);
}

int pb_kwp_wrap(const uint8_t *kek, size_t keklen, const uint8_t *in, size_t len,
	uint8_t *out, size_t cap, size_t *outlen, pb_err *e)
{
	br_aes_gen_cbcenc_keys k;
	const br_block_cbcenc_class *cls = pb_aes_cbcenc_impl();
	size_t need = pb_kwp_wrapped_len(len), n = need / 8 - 1;
	uint8_t b[16];

	if (!kek_ok(keklen) || len == 0 || len > PB_KWP_MAX_IN || cap < need)
		return pb_fail(e, PB_EFAIL, "key wrap: bad key or data size");
	cls->init(&k.vtable, kek, keklen);
	/* out = A || R[1..n], A = the alternative IV with the length */
	memset(out, 0, need);
	memcpy(out, kwp_magic, 4);
	out[4] = (uint8_t)(len >> 24), out[5] = (uint8_t)(len >> 16);
	out[6] = (uint8_t)(len >> 8), out[7] = (uint8_t)len;
	memcpy(out + 8, in, len);
	if (n == 1) {
		block_enc(&k.vtable, out);
	} else {
		for (uint64_t j = 0; j < 6; j++)
			for (size_t i = 1; i <= n; i++) {
				memcpy(b, out, 8);
				memcpy(b + 8, out + 8 * i, 8);
				block_enc(&k.vtable, b);
				memcpy(out, b, 8);
				xor_counter(out, n * j + i);
				memcpy(out + 8 * i, b + 8, 8);
			}
	}
	*outlen = need;
	explicit_bzero(&k, sizeof k);
	explicit_bzero(b, sizeof b);
	return 0;
}

/* RFC 3394 2.2.2 on buf = A || R[1..n], in place. */
static void unwrap_rounds(const br_block_cbcdec_class **k, uint8_t *buf, size_t n)
{
	uint8_t b[16];

	for (uint64_t j = 6; j-- > 0;)
		for (size_t i = n; i >= 1; i--) {
			memcpy(b, buf, 8);
			xor_counter(b, n * j + i);
			memcpy(b + 8, buf + 8 * i, 8);
			block_dec(k, b);
			memcpy(buf, b, 8);
			memcpy(buf + 8 * i, b + 8, 8);
		}
	explicit_bzero(b, sizeof b);
}

int pb_kwp_unwrap(const uint8_t *kek, size_t keklen, const uint8_t *in, size_t len,
	uint8_t *out, size_t cap, size_t *outlen, pb_err *e)
{
	br_aes_gen_cbcdec_keys k;
	const br_block_cbcdec_class *cls = pb_aes_cbcdec_impl();
	uint8_t buf[PB_KWP_MAX_IN + 16];
	size_t n = len / 8 - 1, mli;
	unsigned bad = 0;
	int rc = 0;

	if (!kek_ok(keklen))
		return pb_fail(e, PB_EFAIL, "key unwrap: bad key size");
	if (len % 8 != 0 || len < 16 || len > sizeof buf)
		return pb_fail(e, PB_EVERIFY, "key unwrap: wrapped data has a bad length");
	cls->init(&k.vtable, kek, keklen);
	memcpy(buf, in, len);
	if (n == 1)
		block_dec(&k.vtable, buf);
	else
		unwrap_rounds(&k.vtable, buf, n);
	/* every check folds into `bad`: no early exit on secret data */
	for (int i = 0; i < 4; i++)
		bad |= buf[i] ^ kwp_magic[i];
	mli = (size_t)buf[4] << 24 | (size_t)buf[5] << 16 | (size_t)buf[6] << 8 | buf[7];
	bad |= (unsigned)(mli <= 8 * (n - 1) || mli > 8 * n);
	for (size_t i = 8; i < len; i++)
		bad |= (unsigned)(i >= 8 + mli) & buf[i];
	if (bad)
		rc = pb_fail(e, PB_EVERIFY, "key unwrap: integrity check failed");
	else if (mli > cap)
		rc = pb_fail(e, PB_EFAIL, "key unwrap: output buffer too small");
	else
		memcpy(out, buf + 8, mli), *outlen = mli;
	explicit_bzero(&k, sizeof k);
	explicit_bzero(buf, sizeof buf);
	return rc;
}
