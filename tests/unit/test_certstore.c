/* tests/unit/test_certstore.c - core/pki/certstore.c (the index format),
 * core/pki/chain.c (times, purposes) and core/lifecycle/authority.c. */
#include <criterion/criterion.h>
#include <string.h>

#include "core/lifecycle/authority.h"
#include "core/pki/certstore.h"
#include "core/pki/chain.h"

static pb_cs_index ix, back;
static char buf[PB_CS_INDEX_MAX];

static void sample(void)
{
	memset(&ix, 0, sizeof ix);
	ix.n = 4;
	ix.r[0].type = PB_CS_ANCHOR;
	ix.r[0].kind = PB_CS_DEVICE;
	memset(ix.r[0].sha256, 0x11, 32);
	ix.r[1].type = PB_CS_ANCHOR;
	ix.r[1].kind = PB_CS_GUESTOS;
	memset(ix.r[1].sha256, 0x11, 32);
	ix.r[2].type = PB_CS_DEVICE_CERT;
	memset(ix.r[2].sha256, 0x22, 32);
	strcpy(ix.r[2].keyref, "tpm:0x81000002");
	ix.r[3].type = PB_CS_DEVICE_CHAIN;
	memset(ix.r[3].sha256, 0x33, 32);
}

Test(certstore_index, round_trips) {
	size_t len;
	pb_err e;

	sample();
	cr_assert_eq(pb_cs_index_encode(&ix, buf, sizeof buf, &len, &e), 0);
	cr_assert_eq(pb_cs_index_parse((uint8_t *)buf, len, &back, &e), 0, "%s", e.msg);
	cr_assert_eq(back.n, 4);
	cr_assert_eq(memcmp(&back.r[0], &ix.r[0], sizeof ix.r[0]), 0);
	cr_assert_str_eq(back.r[2].keyref, "tpm:0x81000002");
	cr_assert_eq(back.r[3].type, PB_CS_DEVICE_CHAIN);
}

Test(certstore_index, empty_store_is_header_and_checksum) {
	size_t len;
	pb_err e;

	ix.n = 0;
	cr_assert_eq(pb_cs_index_encode(&ix, buf, sizeof buf, &len, &e), 0);
	cr_assert_eq(strncmp(buf, "provbox-certstore 1\nsha256 ", 27), 0);
	cr_assert_eq(pb_cs_index_parse((uint8_t *)buf, len, &back, &e), 0);
	cr_assert_eq(back.n, 0);
}

Test(certstore_index, every_changed_byte_is_damage) {
	size_t len;
	pb_err e;

	sample();
	cr_assert_eq(pb_cs_index_encode(&ix, buf, sizeof buf, &len, &e), 0);
	for (size_t i = 0; i < len; i++) {
		buf[i] ^= 0x01;
		cr_assert_eq(pb_cs_index_parse((uint8_t *)buf, len, &back, &e), PB_EVERIFY, "byte %zu", i);
		buf[i] ^= 0x01;
	}
	/* and every truncation */
	for (size_t n = 0; n < len; n++)
		cr_assert_eq(pb_cs_index_parse((uint8_t *)buf, n, &back, &e), PB_EVERIFY, "length %zu", n);
}

/* A correctly checksummed index whose records are not acceptable. */
static int parse_lines(const char *lines)
{
	uint8_t sum[32];
	char hex[65];
	pb_err e;
	int n = snprintf(buf, sizeof buf, "provbox-certstore 1\n%s", lines);

	pb_hash_data(PB_HASH_SHA256, buf, (size_t)n, sum);
	pb_hex(sum, 32, hex);
	n += snprintf(buf + n, sizeof buf - (size_t)n, "sha256 %s\n", hex);
	return pb_cs_index_parse((uint8_t *)buf, (size_t)n, &back, &e);
}

#define H64 "1111111111111111111111111111111111111111111111111111111111111111"

Test(certstore_index, refuses_records_out_of_rule) {
	cr_assert_eq(parse_lines("anchor device " H64 "\n"), 0);
	cr_assert_eq(parse_lines("anchor device " H64 "\nanchor device " H64 "\n"), PB_EVERIFY, "duplicate");
	cr_assert_eq(parse_lines("anchor firmware " H64 "\n"), PB_EVERIFY, "unknown kind");
	cr_assert_eq(parse_lines("anchor device " H64 "0\n"), PB_EVERIFY, "long digest");
	cr_assert_eq(parse_lines("anchor device 11111111111111111111111111111111111111111111111111111111111111AA\n"),
		PB_EVERIFY, "uppercase");
	cr_assert_eq(parse_lines("anchor  device " H64 "\n"), PB_EVERIFY, "double space");
	cr_assert_eq(parse_lines("device-chain " H64 "\n"), PB_EVERIFY, "chain without a certificate");
	cr_assert_eq(parse_lines("device-cert " H64 " k\nanchor device " H64 "\n"), PB_EVERIFY, "anchor last");
	cr_assert_eq(parse_lines("device-cert " H64 " k\ndevice-cert " H64 " k\n"), PB_EVERIFY, "two certs");
	cr_assert_eq(parse_lines("device-cert " H64 "\n"), PB_EVERIFY, "no key");
	cr_assert_eq(parse_lines("\n"), PB_EVERIFY, "empty line");
}

Test(chain, times_and_purposes) {
	int64_t t;
	unsigned eku;
	pb_err e;

	cr_assert_eq(pb_time_parse("1767225600", &t, &e), 0);
	cr_assert_eq(t, 1767225600);
	cr_assert_eq(pb_time_parse("@0", &t, &e), 0);
	cr_assert_eq(t, 0);
	cr_assert_eq(pb_time_parse("2026-01-01", &t, &e), 0);
	cr_assert_eq(t, 1767225600);
	cr_assert_eq(pb_time_parse("2026-01-01T00:00:01Z", &t, &e), 0);
	cr_assert_eq(t, 1767225601);
	cr_assert_eq(pb_time_parse("20260101000002Z", &t, &e), 0);
	cr_assert_eq(t, 1767225602);
	static const char *bad[] = {"", "2026-13-01", "2026-01-01T25:00:00Z", "yesterday", "2026-1-1",
		"20260101", "-5", "2026-01-01T00:00:00"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_assert_eq(pb_time_parse(bad[i], &t, &e), PB_EUSAGE, "'%s' accepted", bad[i]);
	cr_assert_eq(pb_purpose_parse("codeSigning", &eku, &e), 0);
	cr_assert_eq(eku, PB_EKU_CODE_SIGNING);
	cr_assert_eq(pb_purpose_parse("sslserver", &eku, &e), PB_EUSAGE);
}

Test(certstore, fingerprints_with_or_without_colons) {
	uint8_t a[32], b[32];
	pb_err e;

	cr_assert_eq(pb_sha256_parse(H64, a, &e), 0);
	cr_assert_eq(pb_sha256_parse("11:11:11:11:11:11:11:11:11:11:11:11:11:11:11:11:"
		"11:11:11:11:11:11:11:11:11:11:11:11:11:11:11:11", b, &e), 0);
	cr_assert_eq(memcmp(a, b, 32), 0);
	cr_assert_eq(pb_sha256_parse("11", a, &e), PB_EUSAGE);
	cr_assert_eq(pb_sha256_parse(H64 "11", a, &e), PB_EUSAGE);
	cr_assert_eq(pb_sha256_parse("zz" H64, a, &e), PB_EUSAGE);
}

Test(lifecycle_authority, round_trips_and_refuses_damage) {
	pb_lc_authority a = {.kind = HAL_TPM}, r;
	char out[PB_LC_AUTHORITY_FILE_MAX];
	size_t len;
	pb_err e;

	strcpy(a.uri, "swtpm:host=127.0.0.1,port=2321");
	cr_assert_eq(pb_lc_authority_encode(&a, out, sizeof out, &len, &e), 0);
	cr_assert_eq(pb_lc_authority_parse((uint8_t *)out, len, &r, &e), 0, "%s", e.msg);
	cr_assert_eq(r.kind, HAL_TPM);
	cr_assert_str_eq(r.uri, a.uri);
	for (size_t i = 0; i < len; i++) {
		out[i] ^= 0x20;
		cr_assert_eq(pb_lc_authority_parse((uint8_t *)out, len, &r, &e), PB_EVERIFY, "byte %zu", i);
		out[i] ^= 0x20;
	}
	cr_assert_eq(pb_lc_authority_parse((uint8_t *)out, len - 1, &r, &e), PB_EVERIFY);
	strcpy(a.uri, "with space");
	cr_assert_eq(pb_lc_authority_encode(&a, out, sizeof out, &len, &e), PB_EUSAGE);
}
