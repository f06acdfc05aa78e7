/* tests/unit/test_sigfmt.c - ECDSA raw/DER forms, DigestInfo, AES-GCM. */
#include <criterion/criterion.h>
#include <string.h>

#include "core/crypto/gcm.h"
#include "core/crypto/key.h"
#include "core/crypto/sigfmt.h"

Test(sigfmt, ecdsa_raw_der_round_trip_keeps_high_bits_and_zeros)
{
	uint8_t raw[64], der[80], back[64];
	size_t dlen, rlen;
	pb_err e;

	memset(raw, 0, sizeof raw);
	raw[0] = 0x80, raw[31] = 1;          /* r: top bit set: 0x00 pad in DER */
	raw[33] = 0x7f, raw[63] = 2;         /* s: one leading zero byte: shorter INTEGER */
	cr_assert_eq(pb_ecdsa_raw_to_der(raw, 64, der, sizeof der, &dlen, &e), 0, "%s", e.msg);
	cr_assert_eq(der[0], 0x30);
	cr_assert_eq(der[2], 0x02);
	cr_assert_eq(der[3], 33, "r gets a 0x00 pad");
	cr_assert_eq(pb_ecdsa_der_to_raw(der, dlen, 32, back, sizeof back, &rlen, &e), 0, "%s", e.msg);
	cr_assert_eq(rlen, 64);
	cr_assert_arr_eq(back, raw, 64);
	cr_assert_eq(pb_ecdsa_raw_to_der(raw, 63, der, sizeof der, &dlen, &e), PB_EFAIL);
	cr_assert_eq(pb_ecdsa_raw_to_der(raw, 64, der, 10, &dlen, &e), PB_EFAIL);
	der[0] = 0x31;
	cr_assert_eq(pb_ecdsa_der_to_raw(der, dlen, 32, back, sizeof back, &rlen, &e), PB_EVERIFY);
}

Test(sigfmt, digest_info_sha256_is_the_rfc8017_prefix)
{
	static const uint8_t prefix[] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
		0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};
	uint8_t d[32], out[64];
	size_t len;
	pb_err e;

	memset(d, 0xab, sizeof d);
	cr_assert_eq(pb_digest_info(PB_HASH_SHA256, d, 32, out, sizeof out, &len, &e), 0, "%s", e.msg);
	cr_assert_eq(len, sizeof prefix + 32);
	cr_assert_arr_eq(out, prefix, sizeof prefix);
	cr_assert_arr_eq(out + sizeof prefix, d, 32);
	cr_assert_eq(pb_digest_info(PB_HASH_SHA256, d, 31, out, sizeof out, &len, &e), PB_EFAIL);
}

/* NIST GCM test case 14 (AES-256, zero key, zero IV, one zero block). */
Test(gcm, nist_vector_and_tamper)
{
	uint8_t key[32] = {0}, iv[12] = {0}, buf[16] = {0}, tag[16];
	static const uint8_t ct[16] = {0xce, 0xa7, 0x40, 0x3d, 0x4d, 0x60, 0x6b, 0x6e, 0x07, 0x4e, 0xc5,
		0xd3, 0xba, 0xf3, 0x9d, 0x18};
	static const uint8_t want_tag[16] = {0xd0, 0xd1, 0xc8, 0xa7, 0x99, 0x99, 0x6b, 0xf0, 0x26, 0x5b,
		0x98, 0xb5, 0xd4, 0x8a, 0xb9, 0x19};
	pb_err e;

	pb_gcm_seal(key, iv, NULL, 0, buf, 16, tag);
	cr_assert_arr_eq(buf, ct, 16);
	cr_assert_arr_eq(tag, want_tag, 16);
	cr_assert_eq(pb_gcm_open(key, iv, NULL, 0, buf, 16, tag, &e), 0, "%s", e.msg);
	cr_assert_eq(buf[0], 0);
	pb_gcm_seal(key, iv, "aad", 3, buf, 16, tag);
	cr_assert_eq(pb_gcm_open(key, iv, "aaD", 3, buf, 16, tag, &e), PB_EVERIFY);
}
