/* tests/unit/test_json.c - JSON strings stay valid JSON whatever the bytes. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/json.h"

static char *json_of(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cr_assert_not_null(f);
	pb_json_str(f, s);
	fclose(f);
	return buf;
}

static void expect(const char *in, const char *want)
{
	char *got = json_of(in);

	cr_expect_str_eq(got, want, "input %s", in);
	free(got);
}

Test(json, escapes_quotes_backslashes_and_controls)
{
	expect("a\"b\\c", "\"a\\\"b\\\\c\"");
	expect("l1\nl2\tx\r", "\"l1\\nl2\\tx\\r\"");
	expect("\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"");
	expect("", "\"\"");
}

Test(json, copies_valid_utf8)
{
	expect("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91", "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91\"");
}

Test(json, replaces_bytes_that_are_not_utf8)
{
	expect("a\xff" "b", "\"a\\ufffdb\"");
	expect("\xc3", "\"\\ufffd\"");                 /* truncated at the end */
	expect("\xc0\xaf", "\"\\ufffd\\ufffd\"");      /* overlong '/' */
	expect("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"");  /* a surrogate */
	expect("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");  /* above U+10FFFF */
	expect("\xe2\x82" "x", "\"\\ufffd\\ufffdx\"");
}

Test(json, key_value_pairs)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	pb_json_kv(f, 1, "a", "1");
	pb_json_kv(f, 0, "b", "x\"y");
	fclose(f);
	cr_expect_str_eq(buf, "\"a\": \"1\", \"b\": \"x\\\"y\"");
	free(buf);
}
