/* tests/unit/test_sigfmt.c - ECDSA raw <-> DER and the PKCS#1 DigestInfo. */
#include <criterion/criterion.h>
#include <string.h>

#include "core/crypto/key.h"
#include "core/crypto/sigfmt.h"

static void fill(uint8_t *p, size_t n, uint8_t first, uint8_t rest)
{
	p[0] = first;
	memset(p + 1, rest, n - 1);
}

Test(sigfmt, raw_to_der_pads_high_bit_and_strips_zeros) {
	uint8_t raw[64], der[80], back[64];
	size_t len, blen;
	pb_err e;

	fill(raw, 32, 0x7F, 0x11);          /* r: top bit clear, 32 bytes */
	fill(raw + 32, 32, 0x80, 0x22);     /* s: top bit set, needs 0x00 */
	cr_assert_eq(pb_ecdsa_raw_to_der(raw, 64, der, sizeof der, &len, &e), 0, "%s", e.msg);
	cr_assert_eq(len, 2 + 2 + 32 + 2 + 33);
	cr_assert_eq(der[0], 0x30);
	cr_assert_eq(der[1], 69);
	cr_assert_eq(der[2], 0x02);
	cr_assert_eq(der[3], 32);
	cr_assert_eq(der[4], 0x7F);
	cr_assert_eq(der[36], 0x02);
	cr_assert_eq(der[37], 33);
	cr_assert_eq(der[38], 0x00);
	cr_assert_eq(der[39], 0x80);
	cr_assert_eq(pb_ecdsa_der_to_raw(der, len, 32, back, sizeof back, &blen, &e), 0, "%s", e.msg);
	cr_assert_eq(blen, 64);
	cr_assert_arr_eq(back, raw, 64);

	/* leading zero bytes of r: a shorter INTEGER, padded back on the way in */
	memset(raw, 0, 3);
	cr_assert_eq(pb_ecdsa_raw_to_der(raw, 64, der, sizeof der, &len, &e), 0, "%s", e.msg);
	cr_assert_eq(der[3], 29);
	cr_assert_eq(pb_ecdsa_der_to_raw(der, len, 32, back, sizeof back, &blen, &e), 0, "%s", e.msg);
	cr_assert_arr_eq(back, raw, 64);
	/* r = 1 */
	memset(raw, 0, 31);
	raw[31] = 1;
	cr_assert_eq(pb_ecdsa_raw_to_der(raw, 64, der, sizeof der, &len, &e), 0);
	cr_assert_eq(der[3], 1);
	cr_assert_eq(der[4], 1);
}

Test(sigfmt, raw_to_der_rejects_wrong_lengths_and_zero) {
	uint8_t raw[140] = {0}, der[160];
	size_t len;
	pb_err e;

	memset(raw, 0x42, sizeof raw);
	cr_assert_eq(pb_ecdsa_raw_to_der(raw, 0, der, sizeof der, &len, &e), PB_EVERIFY);
	cr_assert_eq(pb_ecdsa_raw_to_der(raw, 63, der, sizeof der, &len, &e), PB_EVERIFY);
	cr_assert_eq(pb_ecdsa_raw_to_der(raw, 134, der, sizeof der, &len, &e), PB_EVERIFY);
	cr_assert_eq(pb_ecdsa_raw_to_der(raw, 132, der, sizeof der, &len, &e), 0, "P-521 size: %s", e.msg);
	cr_assert_eq(pb_ecdsa_raw_to_der(raw, 64, der, 20, &len, &e), PB_EFAIL, "small buffer");
	memset(raw + 32, 0, 32);
	cr_assert_eq(pb_ecdsa_raw_to_der(raw, 64, der, sizeof der, &len, &e), PB_EVERIFY);
	cr_assert(strstr(e.msg, "zero"), "%s", e.msg);
}

/* DER in, expected exit code and a word of the message. */
static void der_refused(const uint8_t *der, size_t len, size_t coord, int code, const char *word)
{
	uint8_t raw[132];
	size_t n = 99;
	pb_err e;

	cr_assert_eq(pb_ecdsa_der_to_raw(der, len, coord, raw, sizeof raw, &n, &e), code, "%s", e.msg);
	cr_assert(strstr(e.msg, word), "'%s' lacks '%s'", e.msg, word);
	cr_assert_eq(n, 0);
}

Test(sigfmt, der_to_raw_rejects_malformed) {
	const uint8_t ok[] = {0x30, 0x06, 0x02, 0x01, 0x05, 0x02, 0x01, 0x07};
	const uint8_t negative[] = {0x30, 0x06, 0x02, 0x01, 0x85, 0x02, 0x01, 0x07};
	const uint8_t nonminimal[] = {0x30, 0x07, 0x02, 0x02, 0x00, 0x05, 0x02, 0x01, 0x07};
	const uint8_t zero[] = {0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x07};
	const uint8_t trailing[] = {0x30, 0x06, 0x02, 0x01, 0x05, 0x02, 0x01, 0x07, 0x00};
	const uint8_t third[] = {0x30, 0x09, 0x02, 0x01, 0x05, 0x02, 0x01, 0x07, 0x02, 0x01, 0x01};
	const uint8_t one[] = {0x30, 0x03, 0x02, 0x01, 0x05};
	const uint8_t octets[] = {0x30, 0x06, 0x04, 0x01, 0x05, 0x02, 0x01, 0x07};
	const uint8_t set[] = {0x31, 0x06, 0x02, 0x01, 0x05, 0x02, 0x01, 0x07};
	const uint8_t truncated[] = {0x30, 0x06, 0x02, 0x01, 0x05, 0x02, 0x01};
	uint8_t wide[2 + 2 + 33 + 3], raw[64];
	size_t n;
	pb_err e;

	cr_assert_eq(pb_ecdsa_der_to_raw(ok, sizeof ok, 32, raw, sizeof raw, &n, &e), 0, "%s", e.msg);
	cr_assert_eq(n, 64);
	cr_assert_eq(raw[31], 5);
	cr_assert_eq(raw[63], 7);
	cr_assert(raw[0] == 0 && raw[30] == 0 && raw[32] == 0);
	der_refused(negative, sizeof negative, 32, PB_EVERIFY, "r");
	der_refused(nonminimal, sizeof nonminimal, 32, PB_EVERIFY, "r");
	der_refused(zero, sizeof zero, 32, PB_EVERIFY, "r is zero");
	der_refused(trailing, sizeof trailing, 32, PB_EVERIFY, "ECDSA signature");
	der_refused(third, sizeof third, 32, PB_EVERIFY, "ECDSA signature");
	der_refused(one, sizeof one, 32, PB_EVERIFY, "s");
	der_refused(octets, sizeof octets, 32, PB_EVERIFY, "r");
	der_refused(set, sizeof set, 32, PB_EVERIFY, "ECDSA signature");
	der_refused(truncated, sizeof truncated, 32, PB_EVERIFY, "ECDSA signature");
	der_refused(ok, 0, 32, PB_EVERIFY, "ECDSA signature");
	der_refused(ok, sizeof ok, 0, PB_EUSAGE, "coordinates");
	der_refused(ok, sizeof ok, 67, PB_EUSAGE, "coordinates");

	/* r of 33 significant bytes does not fit P-256, fits P-384 */
	wide[0] = 0x30;
	wide[1] = sizeof wide - 2;
	wide[2] = 0x02;
	wide[3] = 33;
	memset(wide + 4, 0x33, 33);
	memcpy(wide + 37, "\x02\x01\x07", 3);
	der_refused(wide, sizeof wide, 32, PB_EVERIFY, "more than the curve's 32");
	uint8_t raw48[96];
	cr_assert_eq(pb_ecdsa_der_to_raw(wide, sizeof wide, 48, raw48, sizeof raw48, &n, &e), 0, "%s", e.msg);
	cr_assert_eq(n, 96);
	cr_assert_eq(pb_ecdsa_der_to_raw(ok, sizeof ok, 32, raw, 63, &n, &e), PB_EFAIL, "small buffer");
}

/* BearSSL's signatures (DER) survive DER -> raw -> DER byte for byte and verify. */
Test(sigfmt, round_trips_real_signatures) {
	const pb_alg algs[] = {PB_ALG_EC_P256, PB_ALG_EC_P384};

	for (size_t a = 0; a < 2; a++) {
		pb_privkey k;
		pb_err e;
		pb_hash h = pb_alg_hash(algs[a]);
		size_t coord = algs[a] == PB_ALG_EC_P256 ? 32 : 48;
		uint8_t digest[PB_HASH_MAX], sig[PB_SIG_MAX], raw[132], der[PB_SIG_MAX];
		size_t slen, rlen, dlen;

		cr_assert_eq(pb_privkey_generate(algs[a], &k, &e), 0, "%s", e.msg);
		for (int i = 0; i < 20; i++) {
			pb_hash_data(h, &i, sizeof i, digest);
			cr_assert_eq(pb_privkey_sign(&k, h, digest, pb_hash_len(h), sig, sizeof sig, &slen, &e), 0);
			cr_assert_eq(pb_ecdsa_der_to_raw(sig, slen, coord, raw, sizeof raw, &rlen, &e), 0, "%s", e.msg);
			cr_assert_eq(rlen, 2 * coord);
			cr_assert_eq(pb_ecdsa_raw_to_der(raw, rlen, der, sizeof der, &dlen, &e), 0, "%s", e.msg);
			cr_assert_eq(dlen, slen);
			cr_assert_arr_eq(der, sig, slen);
			cr_assert(pb_pubkey_verify(&k.pub, h, digest, pb_hash_len(h), der, dlen));
		}
		pb_privkey_wipe(&k);
	}
}

Test(sigfmt, digest_info_is_rfc8017) {
	/* RFC 8017 section 9.2, note 1: the DER prefixes of SHA-256 and SHA-384 */
	const uint8_t p256[] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03,
		0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};
	const uint8_t p384[] = {0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03,
		0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30};
	uint8_t d[48], out[80];
	size_t len;
	pb_err e;

	memset(d, 0xAB, sizeof d);
	cr_assert_eq(pb_digest_info(PB_HASH_SHA256, d, 32, out, sizeof out, &len, &e), 0, "%s", e.msg);
	cr_assert_eq(len, sizeof p256 + 32);
	cr_assert_arr_eq(out, p256, sizeof p256);
	cr_assert_arr_eq(out + sizeof p256, d, 32);
	cr_assert_eq(pb_digest_info(PB_HASH_SHA384, d, 48, out, sizeof out, &len, &e), 0, "%s", e.msg);
	cr_assert_eq(len, sizeof p384 + 48);
	cr_assert_arr_eq(out, p384, sizeof p384);
	cr_assert_eq(pb_digest_info(PB_HASH_SHA256, d, 48, out, sizeof out, &len, &e), PB_EUSAGE);
	cr_assert_eq(pb_digest_info(PB_HASH_SHA384, d, 32, out, sizeof out, &len, &e), PB_EUSAGE);
	cr_assert_eq(pb_digest_info(PB_HASH_SHA256, d, 32, out, 40, &len, &e), PB_EFAIL);
}
