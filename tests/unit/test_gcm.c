/* tests/unit/test_gcm.c - AES-256-GCM of core/crypto/gcm.h. */
#include <criterion/criterion.h>
#include <string.h>

#include "core/crypto/gcm.h"

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
