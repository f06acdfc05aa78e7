/* core/crypto/kdf.c - PBKDF2, the PKCS#12 KDF and HKDF; see kdf.h. */
#include "core/crypto/kdf.h"

#include <string.h>

size_t pb_hash_class_out(const br_hash_class *h)
{
	return (h->desc >> BR_HASHDESC_OUT_OFF) & BR_HASHDESC_OUT_MASK;
}

size_t pb_hash_class_block(const br_hash_class *h)
{
	return (size_t)1 << ((h->desc >> BR_HASHDESC_LBLEN_OFF) & BR_HASHDESC_LBLEN_MASK);
}

void pb_pbkdf2(const br_hash_class *h, const uint8_t *pw, size_t pwlen,
	const uint8_t *salt, size_t saltlen, uint32_t iter, uint8_t *out, size_t outlen)
{
	br_hmac_key_context kc;
	br_hmac_context hc;
	uint8_t u[64], t[64], be[4];
	size_t hlen = pb_hash_class_out(h);

	br_hmac_key_init(&kc, h, pw, pwlen);
	for (uint32_t block = 1; outlen > 0; block++) {
		size_t n = outlen < hlen ? outlen : hlen;

		be[0] = (uint8_t)(block >> 24), be[1] = (uint8_t)(block >> 16);
		be[2] = (uint8_t)(block >> 8), be[3] = (uint8_t)block;
		br_hmac_init(&hc, &kc, 0);
		br_hmac_update(&hc, salt, saltlen);
		br_hmac_update(&hc, be, sizeof be);
		br_hmac_out(&hc, u);
		memcpy(t, u, hlen);
		for (uint32_t i = 1; i < iter; i++) {
			br_hmac_init(&hc, &kc, 0);
			br_hmac_update(&hc, u, hlen);
			br_hmac_out(&hc, u);
			for (size_t j = 0; j < hlen; j++)
				t[j] ^= u[j];
		}
		memcpy(out, t, n);
		out += n;
		outlen -= n;
	}
	explicit_bzero(&kc, sizeof kc);
	explicit_bzero(&hc, sizeof hc);
	explicit_bzero(u, sizeof u);
	explicit_bzero(t, sizeof t);
}

/* Fill dst (a multiple of v bytes) with src repeated (RFC 7292 B.2 steps 2-3). */
static void repeat_fill(uint8_t *dst, size_t dlen, const uint8_t *src, size_t slen)
{
	for (size_t i = 0; i < dlen; i++)
		dst[i] = src[i % slen];
}

#define ROUND_UP(n, v) (((n) + (v) - 1) / (v) * (v))

/* A = H^iter(D || I) */
static void p12_hash_rounds(const br_hash_class *h, const uint8_t *d, size_t v,
	const uint8_t *in, size_t inlen, uint32_t iter, uint8_t *a)
{
	br_hash_compat_context ctx;
	size_t u = pb_hash_class_out(h);

	h->init(&ctx.vtable);
	h->update(&ctx.vtable, d, v);
	h->update(&ctx.vtable, in, inlen);
	h->out(&ctx.vtable, a);
	for (uint32_t i = 1; i < iter; i++) {
		h->init(&ctx.vtable);
		h->update(&ctx.vtable, a, u);
		h->out(&ctx.vtable, a);
	}
	explicit_bzero(&ctx, sizeof ctx);
}

int pb_p12_kdf(const br_hash_class *h, uint8_t id, const uint8_t *pw, size_t pwlen,
	const uint8_t *salt, size_t saltlen, uint32_t iter, uint8_t *out, size_t outlen, pb_err *e)
{
	uint8_t d[128], in[ROUND_UP(PB_P12_SALT_MAX, 128) + ROUND_UP(PB_BMP_PW_MAX, 128)];
	uint8_t a[64], b[128];
	size_t u = pb_hash_class_out(h), v = pb_hash_class_block(h);
	size_t slen = ROUND_UP(saltlen, v), plen = ROUND_UP(pwlen, v);

	if (saltlen > PB_P12_SALT_MAX || pwlen > PB_BMP_PW_MAX || iter == 0 || v > sizeof d)
		return pb_fail(e, PB_EFAIL, "PKCS#12 KDF: salt, password or iteration count out of range");
	memset(d, id, v);
	if (saltlen)
		repeat_fill(in, slen, salt, saltlen);
	if (pwlen)
		repeat_fill(in + slen, plen, pw, pwlen);
	for (;;) {
		size_t n = outlen < u ? outlen : u;

		p12_hash_rounds(h, d, v, in, slen + plen, iter, a);
		memcpy(out, a, n);
		out += n;
		outlen -= n;
		if (outlen == 0)
			break;
		/* I_j = (I_j + B + 1) mod 2^(8v) for every v-byte block of I */
		repeat_fill(b, v, a, u);
		for (size_t j = 0; j < slen + plen; j += v) {
			unsigned carry = 1;
			for (size_t k = v; k-- > 0;) {
				carry += (unsigned)in[j + k] + b[k];
				in[j + k] = (uint8_t)carry;
				carry >>= 8;
			}
		}
	}
	explicit_bzero(in, sizeof in);
	explicit_bzero(a, sizeof a);
	explicit_bzero(b, sizeof b);
	return 0;
}

/* One code point from strict UTF-8 (as OpenSSL's UTF8_getc: no overlong
 * forms, no surrogates, nothing beyond U+10FFFF); 0 if invalid. */
static size_t utf8_next(const uint8_t *p, size_t len, uint32_t *cp)
{
	size_t n = p[0] < 0x80 ? 1 : (p[0] & 0xE0) == 0xC0 ? 2 : (p[0] & 0xF0) == 0xE0 ? 3 :
		(p[0] & 0xF8) == 0xF0 ? 4 : 0;
	static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};
	uint32_t v;

	if (n == 0 || n > len)
		return 0;
	v = n == 1 ? p[0] : p[0] & (0x7Fu >> n);
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		v = v << 6 | (p[i] & 0x3Fu);
	}
	if (v < min[n] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return n;
}

static size_t put_u16(uint8_t *out, size_t o, uint32_t v)
{
	out[o] = (uint8_t)(v >> 8);
	out[o + 1] = (uint8_t)v;
	return o + 2;
}

size_t pb_p12_password(const pb_secret *pw, uint8_t out[PB_BMP_PW_MAX])
{
	size_t o = 0, i = 0, n;
	uint32_t cp;

	while (i < pw->len) {
		if ((n = utf8_next(pw->buf + i, pw->len - i, &cp)) == 0)
			break;
		if (cp >= 0x10000) {
			cp -= 0x10000;
			o = put_u16(out, o, 0xD800 | (cp >> 10));
			o = put_u16(out, o, 0xDC00 | (cp & 0x3FF));
		} else {
			o = put_u16(out, o, cp);
		}
		i += n;
	}
	if (i < pw->len) {
		/* not UTF-8: one byte, one character */
		for (o = 0, i = 0; i < pw->len; i++)
			o = put_u16(out, o, pw->buf[i]);
	}
	return put_u16(out, o, 0);
}

void pb_hkdf_sha256(const uint8_t *salt, size_t saltlen, const uint8_t *ikm, size_t ikmlen,
	const void *info, size_t infolen, uint8_t *out, size_t outlen)
{
	br_hkdf_context hc;

	br_hkdf_init(&hc, &br_sha256_vtable, salt ? (const void *)salt : BR_HKDF_NO_SALT, saltlen);
	br_hkdf_inject(&hc, ikm, ikmlen);
	br_hkdf_flip(&hc);
	br_hkdf_produce(&hc, info, infolen, out, outlen);
	explicit_bzero(&hc, sizeof hc);
}
