/* tests/unit/test_der.c - the DER reader's rules, one test per rejection,
 * and writer round trips. */
#include <criterion/criterion.h>
#include <string.h>

#include "core/asn1/der.h"
#include "core/asn1/oid.h"

#define B(...) ((const uint8_t[]){__VA_ARGS__}), sizeof((const uint8_t[]){__VA_ARGS__})

static der_status next_of(const uint8_t *buf, size_t len, der_tlv *t)
{
	der_cursor c;

	der_cursor_init(&c, buf, len);
	return der_next(&c, t);
}

static der_status single(const uint8_t *buf, size_t len, uint32_t tag)
{
	der_tlv t;

	return der_parse_single(buf, len, tag, &t);
}

/* Parse one element of tag and run a value decoder on it. */
#define DECODE(call, tag, ...) ({                                   \
	der_tlv t_;                                                 \
	const uint8_t b_[] = {__VA_ARGS__};                         \
	cr_assert_eq(der_parse_single(b_, sizeof b_, tag, &t_), DER_OK); \
	call(&t_);                                                  \
})

static der_status get_int(const der_tlv *t) { uint64_t v; return der_get_uint64(t, &v); }
static der_status get_sint(const der_tlv *t) { int64_t v; return der_get_int64(t, &v); }
static der_status get_bool(const der_tlv *t) { int v; return der_get_bool(t, &v); }
static der_status get_bits(const der_tlv *t)
{
	const uint8_t *b;
	size_t n;
	unsigned u;
	return der_get_bits(t, &b, &n, &u);
}
static der_status get_time(const der_tlv *t) { int64_t v; return der_get_time(t, &v); }

/* ---- header and length rules ---- */

Test(der, rejects_empty_input) {
	der_tlv t;
	cr_assert_eq(next_of(NULL, 0, &t), DER_E_TRUNCATED_HEADER);
}

Test(der, rejects_tag_without_length) {
	der_tlv t;
	cr_assert_eq(next_of(B(0x30), &t), DER_E_TRUNCATED_HEADER);
}

Test(der, rejects_length_beyond_input) {
	der_tlv t;
	cr_assert_eq(next_of(B(0x04, 0x03, 0x01, 0x02), &t), DER_E_TRUNCATED_VALUE);
}

Test(der, rejects_truncated_long_length) {
	der_tlv t;
	cr_assert_eq(next_of(B(0x04, 0x82, 0x01), &t), DER_E_TRUNCATED_HEADER);
}

Test(der, rejects_indefinite_length) {
	der_tlv t;
	cr_assert_eq(next_of(B(0x30, 0x80, 0x00, 0x00), &t), DER_E_INDEFINITE_LENGTH);
}

Test(der, rejects_long_form_for_short_length) {
	der_tlv t;
	cr_assert_eq(next_of(B(0x04, 0x81, 0x05, 1, 2, 3, 4, 5), &t), DER_E_NONMINIMAL_LENGTH);
}

Test(der, rejects_length_with_leading_zero_octet) {
	uint8_t buf[4 + 200] = {0x04, 0x82, 0x00, 0xC8};
	der_tlv t;
	cr_assert_eq(next_of(buf, sizeof buf, &t), DER_E_NONMINIMAL_LENGTH);
}

Test(der, rejects_five_length_octets) {
	der_tlv t;
	cr_assert_eq(next_of(B(0x04, 0x85, 1, 0, 0, 0, 0), &t), DER_E_LENGTH_TOO_LONG);
}

Test(der, rejects_reserved_length_0xff) {
	der_tlv t;
	cr_assert_eq(next_of(B(0x04, 0xFF, 0), &t), DER_E_LENGTH_TOO_LONG);
}

Test(der, rejects_high_tag_form_for_low_number) {
	der_tlv t;
	cr_assert_eq(next_of(B(0x9F, 0x05, 0x00), &t), DER_E_TAG_NONMINIMAL);
}

Test(der, rejects_high_tag_with_padding_octet) {
	der_tlv t;
	cr_assert_eq(next_of(B(0x9F, 0x80, 0x21, 0x00), &t), DER_E_TAG_NONMINIMAL);
}

Test(der, rejects_huge_tag_number) {
	der_tlv t;
	cr_assert_eq(next_of(B(0x9F, 0x81, 0x81, 0x81, 0x01, 0x00), &t), DER_E_TAG_TOO_BIG);
}

Test(der, rejects_truncated_high_tag) {
	der_tlv t;
	cr_assert_eq(next_of(B(0x9F, 0x81), &t), DER_E_TRUNCATED_HEADER);
}

Test(der, accepts_high_tag_number) {
	der_tlv t;
	cr_assert_eq(next_of(B(0x9F, 0x81, 0x00, 0x01, 0xAA), &t), DER_OK);
	cr_assert_eq(DER_TAG_NUMBER(t.tag), 128);
	cr_assert_eq(t.len, 1);
}

Test(der, rejects_trailing_data) {
	cr_assert_eq(single(B(0x05, 0x00, 0x00), DER_NULL), DER_E_TRAILING_DATA);
}

Test(der, rejects_unexpected_tag) {
	cr_assert_eq(single(B(0x02, 0x01, 0x01), DER_OCTET_STRING), DER_E_UNEXPECTED_TAG);
}

Test(der, rejects_primitive_sequence) {
	der_tlv t;
	cr_assert_eq(next_of(B(0x10, 0x00), &t), DER_E_NOT_CONSTRUCTED);
}

Test(der, rejects_constructed_octet_string) {
	der_tlv t;
	cr_assert_eq(next_of(B(0x24, 0x03, 0x04, 0x01, 0x00), &t), DER_E_NOT_PRIMITIVE);
}

Test(der, rejects_constructed_integer) {
	der_tlv t;
	cr_assert_eq(next_of(B(0x22, 0x00), &t), DER_E_NOT_PRIMITIVE);
}

Test(der, rejects_nesting_beyond_limit) {
	uint8_t buf[2 * (DER_MAX_DEPTH + 2)];
	der_cursor c[DER_MAX_DEPTH + 2];
	der_status st = DER_OK;
	int i;

	/* 30 L 30 L 30 L ... 05 00 */
	for (i = 0; i < DER_MAX_DEPTH + 1; i++) {
		buf[2 * i] = 0x30;
		buf[2 * i + 1] = (uint8_t)(2 * (DER_MAX_DEPTH + 1 - i));
	}
	buf[2 * i] = 0x05;
	buf[2 * i + 1] = 0x00;
	der_cursor_init(&c[0], buf, sizeof buf);
	for (i = 0; i < DER_MAX_DEPTH + 1 && st == DER_OK; i++)
		st = der_enter(&c[i], DER_SEQUENCE, &c[i + 1]);
	cr_assert_eq(st, DER_E_DEPTH);
}

Test(der, enter_checks_inner_bounds) {
	der_cursor c, in;
	der_tlv t;
	/* the inner element claims more than the SEQUENCE holds */
	der_cursor_init(&c, B(0x30, 0x03, 0x04, 0x05, 0x00, 0x00, 0x00));
	cr_assert_eq(der_enter(&c, DER_SEQUENCE, &in), DER_OK);
	cr_assert_eq(der_next(&in, &t), DER_E_TRUNCATED_VALUE);
}

/* ---- INTEGER ---- */

Test(der, rejects_empty_integer) {
	cr_assert_eq(DECODE(get_int, DER_INTEGER, 0x02, 0x00), DER_E_INT_EMPTY);
}

Test(der, rejects_integer_leading_zero) {
	cr_assert_eq(DECODE(get_int, DER_INTEGER, 0x02, 0x02, 0x00, 0x7F), DER_E_INT_NONMINIMAL);
}

Test(der, rejects_integer_leading_ff) {
	cr_assert_eq(DECODE(get_sint, DER_INTEGER, 0x02, 0x02, 0xFF, 0x80), DER_E_INT_NONMINIMAL);
}

Test(der, rejects_negative_where_unsigned) {
	cr_assert_eq(DECODE(get_int, DER_INTEGER, 0x02, 0x01, 0x80), DER_E_INT_NEGATIVE);
}

Test(der, rejects_integer_overflow) {
	cr_assert_eq(DECODE(get_int, DER_INTEGER, 0x02, 0x09, 0x01, 0, 0, 0, 0, 0, 0, 0, 0),
		DER_E_INT_OVERFLOW);
}

Test(der, reads_integers) {
	der_tlv t;
	uint64_t u;
	int64_t s;
	/* named arrays: a compound literal inside cr_assert_eq dies with its block */
	static const uint8_t i128[] = {0x02, 0x02, 0x00, 0x80}, minus1[] = {0x02, 0x01, 0xFF};
	cr_assert_eq(der_parse_single(i128, sizeof i128, DER_INTEGER, &t), DER_OK);
	cr_assert_eq(der_get_uint64(&t, &u), DER_OK);
	cr_assert_eq(u, 128);
	cr_assert_eq(der_parse_single(minus1, sizeof minus1, DER_INTEGER, &t), DER_OK);
	cr_assert_eq(der_get_int64(&t, &s), DER_OK);
	cr_assert_eq(s, -1);
}

/* ---- BOOLEAN, NULL ---- */

Test(der, rejects_boolean_of_two_octets) {
	cr_assert_eq(DECODE(get_bool, DER_BOOLEAN, 0x01, 0x02, 0xFF, 0xFF), DER_E_BOOL_LENGTH);
}

Test(der, rejects_boolean_value_01) {
	cr_assert_eq(DECODE(get_bool, DER_BOOLEAN, 0x01, 0x01, 0x01), DER_E_BOOL_VALUE);
}

Test(der, rejects_null_with_content) {
	cr_assert_eq(DECODE(der_get_null, DER_NULL, 0x05, 0x01, 0x00), DER_E_NULL_LENGTH);
}

/* ---- OBJECT IDENTIFIER ---- */

Test(der, rejects_empty_oid) {
	cr_assert_eq(DECODE(der_get_oid, DER_OID, 0x06, 0x00), DER_E_OID_EMPTY);
}

Test(der, rejects_oid_arc_with_0x80_padding) {
	cr_assert_eq(DECODE(der_get_oid, DER_OID, 0x06, 0x03, 0x2A, 0x80, 0x01), DER_E_OID_NONMINIMAL);
}

Test(der, rejects_oid_truncated_arc) {
	cr_assert_eq(DECODE(der_get_oid, DER_OID, 0x06, 0x02, 0x2A, 0x86), DER_E_OID_TRUNCATED);
}

Test(der, rejects_oid_arc_over_32_bits) {
	cr_assert_eq(DECODE(der_get_oid, DER_OID, 0x06, 0x06, 0x2A, 0x9F, 0xFF, 0xFF, 0xFF, 0x7F),
		DER_E_OID_TOO_LONG);
}

Test(der, oid_to_text) {
	der_tlv t;
	char buf[64];
	static const uint8_t p256[] = {0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07};
	cr_assert_eq(der_parse_single(p256, sizeof p256, DER_OID, &t), DER_OK);
	cr_assert_eq(der_oid_to_text(&t, buf, sizeof buf), DER_OK);
	cr_assert_str_eq(buf, "1.2.840.10045.3.1.7");
	cr_assert(der_oid_eq(&t, OID(OID_P256)));
}

/* ---- BIT STRING ---- */

Test(der, rejects_empty_bit_string) {
	cr_assert_eq(DECODE(get_bits, DER_BIT_STRING, 0x03, 0x00), DER_E_BITSTRING_EMPTY);
}

Test(der, rejects_unused_bits_over_seven) {
	cr_assert_eq(DECODE(get_bits, DER_BIT_STRING, 0x03, 0x02, 0x08, 0x00), DER_E_BITSTRING_UNUSED);
}

Test(der, rejects_unused_bits_without_data) {
	cr_assert_eq(DECODE(get_bits, DER_BIT_STRING, 0x03, 0x01, 0x03), DER_E_BITSTRING_UNUSED);
}

Test(der, rejects_nonzero_padding_bits) {
	cr_assert_eq(DECODE(get_bits, DER_BIT_STRING, 0x03, 0x02, 0x01, 0x81), DER_E_BITSTRING_PADDING);
}

/* ---- time ---- */

Test(der, rejects_utctime_without_seconds) {
	cr_assert_eq(DECODE(get_time, DER_UTC_TIME, 0x17, 0x0B,
		'2', '6', '1', '1', '2', '4', '1', '2', '0', '0', 'Z'), DER_E_TIME_FORMAT);
}

Test(der, rejects_time_with_offset) {
	cr_assert_eq(DECODE(get_time, DER_UTC_TIME, 0x17, 0x11,
		'2', '6', '1', '1', '2', '4', '1', '2', '0', '0', '0', '0', '+', '0', '1', '0', '0'),
		DER_E_TIME_FORMAT);
}

Test(der, rejects_month_13) {
	cr_assert_eq(DECODE(get_time, DER_UTC_TIME, 0x17, 0x0D,
		'2', '6', '1', '3', '2', '4', '1', '2', '0', '0', '0', '0', 'Z'), DER_E_TIME_VALUE);
}

Test(der, rejects_february_30) {
	cr_assert_eq(DECODE(get_time, DER_GENERALIZED_TIME, 0x18, 0x0F,
		'2', '0', '2', '8', '0', '2', '3', '0', '0', '0', '0', '0', '0', '0', 'Z'), DER_E_TIME_VALUE);
}

Test(der, rejects_generalized_time_fraction) {
	cr_assert_eq(DECODE(get_time, DER_GENERALIZED_TIME, 0x18, 0x11,
		'2', '0', '5', '0', '0', '1', '0', '1', '0', '0', '0', '0', '0', '0', '.', '5', 'Z'),
		DER_E_TIME_FORMAT);
}

Test(der, utctime_2050_rule) {
	der_tlv t;
	int64_t v;
	/* 491231235959Z is 2049, 500101000000Z is 1950 */
	static const uint8_t y2049[] = {0x17, 0x0D, '4', '9', '1', '2', '3', '1', '2', '3', '5', '9', '5', '9', 'Z'};
	static const uint8_t y1950[] = {0x17, 0x0D, '5', '0', '0', '1', '0', '1', '0', '0', '0', '0', '0', '0', 'Z'};
	cr_assert_eq(der_parse_single(y2049, sizeof y2049, DER_UTC_TIME, &t), DER_OK);
	cr_assert_eq(der_get_time(&t, &v), DER_OK);
	cr_assert_eq(v, 2524607999LL);
	cr_assert_eq(der_parse_single(y1950, sizeof y1950, DER_UTC_TIME, &t), DER_OK);
	cr_assert_eq(der_get_time(&t, &v), DER_OK);
	cr_assert_eq(v, -631152000LL);
}

/* ---- strings ---- */

Test(der, rejects_at_sign_in_printable_string) {
	cr_assert_eq(DECODE(der_get_string, DER_PRINTABLE_STRING, 0x13, 0x03, 'a', '@', 'b'),
		DER_E_STRING_CHARSET);
}

Test(der, rejects_overlong_utf8) {
	cr_assert_eq(DECODE(der_get_string, DER_UTF8_STRING, 0x0C, 0x02, 0xC0, 0xAF), DER_E_STRING_UTF8);
}

Test(der, rejects_utf8_surrogate) {
	cr_assert_eq(DECODE(der_get_string, DER_UTF8_STRING, 0x0C, 0x03, 0xED, 0xA0, 0x80),
		DER_E_STRING_UTF8);
}

Test(der, rejects_eight_bit_ia5) {
	cr_assert_eq(DECODE(der_get_string, DER_IA5_STRING, 0x16, 0x01, 0xE9), DER_E_STRING_CHARSET);
}

Test(der, accepts_utf8_multibyte) {
	/* "é€" */
	cr_assert_eq(DECODE(der_get_string, DER_UTF8_STRING, 0x0C, 0x05, 0xC3, 0xA9, 0xE2, 0x82, 0xAC),
		DER_OK);
}

/* ---- optional elements and finishing ---- */

Test(der, optional_absent_and_present) {
	der_cursor c;
	der_tlv t;
	int present;
	der_cursor_init(&c, B(0x02, 0x01, 0x05));
	cr_assert_eq(der_optional(&c, DER_CTX(0), &t, &present), DER_OK);
	cr_assert_eq(present, 0);
	cr_assert_eq(der_optional(&c, DER_INTEGER, &t, &present), DER_OK);
	cr_assert_eq(present, 1);
	cr_assert_eq(der_finish(&c), DER_OK);
	cr_assert_eq(der_optional(&c, DER_INTEGER, &t, &present), DER_OK);
	cr_assert_eq(present, 0);
}

Test(der, expect_reports_wrong_form) {
	der_cursor c;
	der_tlv t;
	/* [0] primitive where [0] constructed is expected */
	der_cursor_init(&c, B(0x80, 0x00));
	cr_assert_eq(der_expect(&c, DER_CTX(0), &t), DER_E_NOT_CONSTRUCTED);
	cr_assert_eq(c.pos, 0, "a failed expect consumes nothing");
}

/* ---- writer ---- */

Test(der_writer, round_trips_a_structure) {
	uint8_t buf[512];
	der_writer w;
	size_t len;
	der_cursor c, s;
	der_tlv t;
	uint64_t v;
	int64_t when;
	int b;
	uint8_t big[200];

	memset(big, 0xAB, sizeof big);
	der_writer_init(&w, buf, sizeof buf);
	der_begin(&w, DER_SEQUENCE);
	der_put_uint64(&w, 0x8000);
	der_put_bool(&w, 1);
	der_put_oid(&w, OID(OID_SHA256));
	der_put_octets(&w, big, sizeof big);   /* forces a two-octet length */
	der_put_time(&w, 2524608000LL);        /* 2050-01-01: GeneralizedTime */
	der_put_null(&w);
	der_end(&w);
	cr_assert_eq(der_writer_finish(&w, &len), DER_OK);
	cr_assert_eq(buf[0], 0x30);
	cr_assert_eq(buf[1], 0x81, "outer length widened to long form");

	der_cursor_init(&c, buf, len);
	cr_assert_eq(der_enter(&c, DER_SEQUENCE, &s), DER_OK);
	cr_assert_eq(der_finish(&c), DER_OK);
	cr_assert_eq(der_expect(&s, DER_INTEGER, &t), DER_OK);
	cr_assert_eq(t.len, 3, "0x8000 needs a 0x00 sign octet");
	cr_assert_eq(der_get_uint64(&t, &v), DER_OK);
	cr_assert_eq(v, 0x8000);
	cr_assert_eq(der_expect(&s, DER_BOOLEAN, &t), DER_OK);
	cr_assert_eq(der_get_bool(&t, &b), DER_OK);
	cr_assert_eq(b, 1);
	cr_assert_eq(der_expect(&s, DER_OID, &t), DER_OK);
	cr_assert(der_oid_eq(&t, OID(OID_SHA256)));
	cr_assert_eq(der_expect(&s, DER_OCTET_STRING, &t), DER_OK);
	cr_assert_eq(t.len, sizeof big);
	cr_assert_eq(memcmp(t.val, big, sizeof big), 0);
	cr_assert_eq(der_expect(&s, DER_GENERALIZED_TIME, &t), DER_OK);
	cr_assert_eq(der_get_time(&t, &when), DER_OK);
	cr_assert_eq(when, 2524608000LL);
	cr_assert_eq(der_expect(&s, DER_NULL, &t), DER_OK);
	cr_assert_eq(der_finish(&s), DER_OK);
}

Test(der_writer, counting_mode_matches_output) {
	uint8_t buf[1024];
	der_writer w1, w2;
	size_t n1, n2;
	uint8_t blob[300] = {0};

	for (int pass = 0; pass < 2; pass++) {
		der_writer *w = pass ? &w2 : &w1;
		der_writer_init(w, pass ? buf : NULL, sizeof buf);
		der_begin(w, DER_SEQUENCE);
		der_begin(w, DER_CTX(3));
		der_put_octets(w, blob, sizeof blob);
		der_end(w);
		der_put_int64(w, -129);
		der_end(w);
	}
	cr_assert_eq(der_writer_finish(&w1, &n1), DER_OK);
	cr_assert_eq(der_writer_finish(&w2, &n2), DER_OK);
	cr_assert_eq(n1, n2);
	cr_assert_eq(single(buf, n2, DER_SEQUENCE), DER_OK);
}

Test(der_writer, reports_overflow) {
	uint8_t buf[4];
	der_writer w;
	size_t len;

	der_writer_init(&w, buf, sizeof buf);
	der_put_octets(&w, (const uint8_t *)"hello", 5);
	cr_assert_eq(der_writer_finish(&w, &len), DER_E_WRITER_OVERFLOW);
}

Test(der_writer, reports_unbalanced_nesting) {
	uint8_t buf[16];
	der_writer w;
	size_t len;

	der_writer_init(&w, buf, sizeof buf);
	der_begin(&w, DER_SEQUENCE);
	cr_assert_eq(der_writer_finish(&w, &len), DER_E_WRITER_NESTING);
	der_writer_init(&w, buf, sizeof buf);
	der_end(&w);
	cr_assert_eq(der_writer_finish(&w, &len), DER_E_WRITER_NESTING);
}

Test(der_writer, integers_are_minimal) {
	uint8_t buf[16];
	der_writer w;
	size_t len;
	der_tlv t;
	int64_t v;
	const int64_t cases[] = {0, 1, 127, 128, 255, 256, -1, -128, -129, INT64_MIN, INT64_MAX};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		der_writer_init(&w, buf, sizeof buf);
		der_put_int64(&w, cases[i]);
		cr_assert_eq(der_writer_finish(&w, &len), DER_OK);
		cr_assert_eq(der_parse_single(buf, len, DER_INTEGER, &t), DER_OK);
		cr_assert_eq(der_get_int64(&t, &v), DER_OK, "case %zu re-read", i);
		cr_assert_eq(v, cases[i]);
	}
}

Test(der_writer, bit_string_masks_padding) {
	uint8_t buf[8];
	der_writer w;
	size_t len;
	der_tlv t;
	const uint8_t *bits;
	size_t n;
	unsigned unused;

	der_writer_init(&w, buf, sizeof buf);
	der_put_bits(&w, (const uint8_t[]){0xFF}, 1, 3);
	cr_assert_eq(der_writer_finish(&w, &len), DER_OK);
	cr_assert_eq(der_parse_single(buf, len, DER_BIT_STRING, &t), DER_OK);
	cr_assert_eq(der_get_bits(&t, &bits, &n, &unused), DER_OK);
	cr_assert_eq(bits[0], 0xF8);
	cr_assert_eq(unused, 3);
}

Test(der_writer, high_tag_round_trip) {
	uint8_t buf[8];
	der_writer w;
	size_t len;
	der_tlv t;

	der_writer_init(&w, buf, sizeof buf);
	der_put_tlv(&w, DER_TAG(0x80, 200), (const uint8_t *)"x", 1);
	cr_assert_eq(der_writer_finish(&w, &len), DER_OK);
	cr_assert_eq(der_parse_single(buf, len, DER_TAG(0x80, 200), &t), DER_OK);
	cr_assert_eq(t.len, 1);
}

Test(der_calendar, civil_round_trip) {
	const int64_t stamps[] = {0, 951782400LL /* 2000-02-29 */, 4102444799LL, -1, 253402300799LL};

	for (size_t i = 0; i < sizeof stamps / sizeof stamps[0]; i++) {
		int64_t y;
		unsigned mo, d, h, mi, s;
		der_civil_from_epoch(stamps[i], &y, &mo, &d, &h, &mi, &s);
		cr_assert_eq(der_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s, stamps[i]);
	}
}
