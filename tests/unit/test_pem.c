/* tests/unit/test_pem.c - PEM decoding rules and encode/decode round trips. */
#include <criterion/criterion.h>
#include <string.h>

#include "core/asn1/pem.h"

static int decode(const char *text, pem_block *blk, uint8_t *out, size_t cap, pb_err *e)
{
	size_t pos = 0;
	return pem_next(text, strlen(text), &pos, out, cap, blk, e);
}

Test(pem, round_trips_every_length) {
	uint8_t der[200], out[200];
	char pem[600];
	size_t plen;
	pem_block blk;
	pb_err e;

	for (size_t n = 1; n < sizeof der; n++) {
		for (size_t i = 0; i < n; i++)
			der[i] = (uint8_t)(i * 7 + n);
		cr_assert_eq(pem_encode("CERTIFICATE", der, n, pem, sizeof pem, &plen, &e), 0);
		cr_assert_eq(strlen(pem), plen);
		cr_assert_eq(decode(pem, &blk, out, sizeof out, &e), 0, "n=%zu: %s", n, e.msg);
		cr_assert_str_eq(blk.label, "CERTIFICATE");
		cr_assert_eq(blk.len, n);
		cr_assert_eq(memcmp(out, der, n), 0);
	}
}

Test(pem, lines_are_64_columns) {
	uint8_t der[100] = {0};
	char pem[400];
	size_t plen;
	pb_err e;

	cr_assert_eq(pem_encode("X", der, sizeof der, pem, sizeof pem, &plen, &e), 0);
	const char *l2 = strchr(pem, '\n') + 1;
	cr_assert_eq(strchr(l2, '\n') - l2, 64);
}

Test(pem, finds_several_blocks_and_skips_text) {
	const char *t = "junk before\n-----BEGIN A-----\nAQID\n-----END A-----\nmiddle\n"
	                "-----BEGIN B-----\nBAU=\n-----END B-----\n";
	uint8_t out[16];
	size_t pos = 0;
	pem_block blk;
	pb_err e;

	cr_assert_eq(pem_next(t, strlen(t), &pos, out, sizeof out, &blk, &e), 0);
	cr_assert_str_eq(blk.label, "A");
	cr_assert_eq(blk.len, 3);
	cr_assert_eq(pem_next(t, strlen(t), &pos, out, sizeof out, &blk, &e), 0);
	cr_assert_str_eq(blk.label, "B");
	cr_assert_eq(blk.len, 2);
	cr_assert_eq(out[1], 5);
	cr_assert_eq(pem_next(t, strlen(t), &pos, out, sizeof out, &blk, &e), PEM_NONE);
}

Test(pem, no_block_and_too_large_are_different_results) {
	const char *t = "-----BEGIN CERTIFICATE-----\nAQIDBAUG\n-----END CERTIFICATE-----\n";
	uint8_t out[16];
	pem_block blk;
	pb_err e = {0, ""};

	cr_assert_eq(decode("no PEM here\n", &blk, out, sizeof out, &e), PEM_NONE);
	cr_assert_str_eq(e.msg, "", "no block is not an error");
	cr_assert_eq(decode(t, &blk, out, 6, &e), 0, "exactly cap bytes fit: %s", e.msg);
	cr_assert_eq(decode(t, &blk, out, 5, &e), PB_EFAIL);
	cr_assert_neq(PB_EFAIL, PEM_NONE);
	cr_assert_str_eq(e.msg, "PEM: CERTIFICATE block too large (more than 5 bytes)");
}

Test(pem, decodes_a_20k_block) {
	static uint8_t der[20000], out[20000];
	static char text[30000];
	size_t tlen;
	pem_block blk;
	pb_err e;

	for (size_t i = 0; i < sizeof der; i++)
		der[i] = (uint8_t)(i * 31 + 7);
	cr_assert_eq(pem_encode("CERTIFICATE", der, sizeof der, text, sizeof text, &tlen, &e), 0);
	cr_assert_gt(tlen, 26000);
	cr_assert_eq(decode(text, &blk, out, sizeof out, &e), 0, "%s", e.msg);
	cr_assert_eq(blk.len, sizeof der);
	cr_assert_eq(memcmp(out, der, sizeof der), 0);
}

Test(pem, rejects_mismatched_end_label) {
	uint8_t out[16];
	pem_block blk;
	pb_err e;
	cr_assert_eq(decode("-----BEGIN A-----\nAQID\n-----END B-----\n", &blk, out, sizeof out, &e), PB_EVERIFY);
	cr_assert(strstr(e.msg, "END A"));
}

Test(pem, rejects_bad_character) {
	uint8_t out[16];
	pem_block blk;
	pb_err e;
	cr_assert_eq(decode("-----BEGIN A-----\nAQ*D\n-----END A-----\n", &blk, out, sizeof out, &e), PB_EVERIFY);
	cr_assert(strstr(e.msg, "invalid base64"));
}

Test(pem, rejects_bad_padding) {
	uint8_t out[16];
	pem_block blk;
	pb_err e;
	/* "AQI" lacks its '='; "AQ=" has one '=' too few; "AR==" has non-zero spare bits */
	cr_assert_eq(decode("-----BEGIN A-----\nAQI\n-----END A-----\n", &blk, out, sizeof out, &e), PB_EVERIFY);
	cr_assert_eq(decode("-----BEGIN A-----\nAQ=\n-----END A-----\n", &blk, out, sizeof out, &e), PB_EVERIFY);
	cr_assert_eq(decode("-----BEGIN A-----\nAR==\n-----END A-----\n", &blk, out, sizeof out, &e), PB_EVERIFY);
}

Test(pem, rejects_data_after_padding) {
	uint8_t out[16];
	pem_block blk;
	pb_err e;
	cr_assert_eq(decode("-----BEGIN A-----\nAQ==AQID\n-----END A-----\n", &blk, out, sizeof out, &e), PB_EVERIFY);
	cr_assert(strstr(e.msg, "after base64 padding"));
}

Test(pem, rejects_encrypted_headers) {
	uint8_t out[64];
	pem_block blk;
	pb_err e;
	cr_assert_eq(decode("-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nAQID\n"
		"-----END RSA PRIVATE KEY-----\n", &blk, out, sizeof out, &e), PB_EVERIFY);
	cr_assert(strstr(e.msg, "encrypted"));
}

Test(pem, rejects_empty_block_and_missing_end) {
	uint8_t out[16];
	pem_block blk;
	pb_err e;
	cr_assert_eq(decode("-----BEGIN A-----\n-----END A-----\n", &blk, out, sizeof out, &e), PB_EVERIFY);
	cr_assert_eq(decode("-----BEGIN A-----\nAQID\n", &blk, out, sizeof out, &e), PB_EVERIFY);
}

Test(pem, reports_small_output_buffer) {
	uint8_t out[2];
	pem_block blk;
	pb_err e;
	cr_assert_eq(decode("-----BEGIN A-----\nAQID\n-----END A-----\n", &blk, out, sizeof out, &e), PB_EFAIL);
}

Test(pem, detects_pem) {
	cr_assert(pem_detect((const uint8_t *)"-----BEGIN X-----\n", 18));
	cr_assert(!pem_detect((const uint8_t *)"\x30\x03\x02\x01\x00", 5));
}
