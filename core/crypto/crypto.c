/* core/crypto/crypto.c - BearSSL choices and randomness; see crypto.h. */
#include "core/crypto/crypto.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

size_t pb_hash_len(pb_hash h)
{
	return h == PB_HASH_SHA384 ? 48 : 32;
}

const br_hash_class *pb_hash_class(pb_hash h)
{
	return h == PB_HASH_SHA384 ? &br_sha384_vtable : &br_sha256_vtable;
}

const unsigned char *pb_hash_rsa_oid(pb_hash h)
{
	return h == PB_HASH_SHA384 ? BR_HASH_OID_SHA384 : BR_HASH_OID_SHA256;
}

void pb_hash_data(pb_hash h, const void *data, size_t len, uint8_t *out)
{
	br_hash_compat_context ctx;
	const br_hash_class *hc = pb_hash_class(h);

	hc->init(&ctx.vtable);
	hc->update(&ctx.vtable, data, len);
	hc->out(&ctx.vtable, out);
}

int pb_sha256_file(const char *path, int dash_stdin, uint8_t digest[32], pb_err *e)
{
	FILE *f = dash_stdin && strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	br_sha256_context c;
	uint8_t buf[65536];
	size_t n;
	int bad;

	if (f == NULL)
		return pb_fail(e, PB_EFAIL, "%s: %s", path, strerror(errno));
	br_sha256_init(&c);
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		br_sha256_update(&c, buf, n);
	bad = ferror(f);
	if (f != stdin)
		fclose(f);
	if (bad)
		return pb_fail(e, PB_EFAIL, "%s: read error", path);
	br_sha256_out(&c, digest);
	return 0;
}

const br_ec_impl *pb_ec_impl(int curve)
{
	return curve == BR_EC_secp256r1 ? &br_ec_p256_m31 : &br_ec_prime_i31;
}

br_rsa_pkcs1_sign pb_rsa_sign_impl(void)
{
	br_rsa_pkcs1_sign f = br_rsa_i62_pkcs1_sign_get();

	return f ? f : &br_rsa_i31_pkcs1_sign;
}

br_rsa_pkcs1_vrfy pb_rsa_vrfy_impl(void)
{
	br_rsa_pkcs1_vrfy f = br_rsa_i62_pkcs1_vrfy_get();

	return f ? f : &br_rsa_i31_pkcs1_vrfy;
}

br_rsa_keygen pb_rsa_keygen_impl(void)
{
	br_rsa_keygen f = br_rsa_i62_keygen_get();

	return f ? f : &br_rsa_i31_keygen;
}

const br_block_cbcenc_class *pb_aes_cbcenc_impl(void)
{
	const br_block_cbcenc_class *c = br_aes_x86ni_cbcenc_get_vtable();

	return c ? c : &br_aes_ct64_cbcenc_vtable;
}

const br_block_cbcdec_class *pb_aes_cbcdec_impl(void)
{
	const br_block_cbcdec_class *c = br_aes_x86ni_cbcdec_get_vtable();

	return c ? c : &br_aes_ct64_cbcdec_vtable;
}

int pb_random(void *buf, size_t len, pb_err *e)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t r = getrandom(p, len, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return pb_fail(e, PB_EFAIL, "getrandom: %s", strerror(errno));
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

int pb_drbg_init(br_hmac_drbg_context *ctx, pb_err *e)
{
	uint8_t seed[48];

	if (pb_random(seed, sizeof seed, e) != 0)
		return e->code;
	br_hmac_drbg_init(ctx, &br_sha256_vtable, seed, sizeof seed);
	explicit_bzero(seed, sizeof seed);
	return 0;
}
