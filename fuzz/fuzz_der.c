/* fuzz/fuzz_der.c - the DER reader on arbitrary bytes: walk every element
 * to the depth limit and run every value decoder on it. Invariants: an
 * accepted time re-encodes to the same instant; an OCTET STRING re-encodes
 * to the same bytes. */
#include <stddef.h>
#include <stdint.h>

#include "core/asn1/der.h"

static void walk(der_cursor *c)
{
	der_tlv t;

	while (der_remaining(c) > 0) {
		if (der_next(c, &t) != DER_OK)
			return;
		if (DER_TAG_CONSTRUCTED(t.tag)) {
			der_cursor in;
			if (der_enter_tlv(c, &t, &in) == DER_OK)
				walk(&in);
			continue;
		}
		uint64_t u;
		int64_t s, when;
		int b;
		const uint8_t *p;
		size_t n;
		unsigned unused;
		char txt[128];
		(void)der_get_uint64(&t, &u);
		(void)der_get_int64(&t, &s);
		(void)der_get_uint_bytes(&t, &p, &n);
		(void)der_get_bool(&t, &b);
		(void)der_get_null(&t);
		(void)der_oid_to_text(&t, txt, sizeof txt);
		(void)der_get_bits(&t, &p, &n, &unused);
		if (der_get_time(&t, &when) == DER_OK) {
			/* a time we accept writes back and reads to the same instant */
			uint8_t tb[32];
			der_writer tw;
			der_cursor tc;
			der_tlv tt;
			int64_t again;
			size_t tl;
			der_writer_init(&tw, tb, sizeof tb);
			der_put_time(&tw, when);
			if (der_writer_finish(&tw, &tl) != DER_OK)
				__builtin_trap();
			der_cursor_init(&tc, tb, tl);
			if (der_next(&tc, &tt) != DER_OK ||
			    der_get_time(&tt, &again) != DER_OK || again != when)
				__builtin_trap();
		}
		(void)der_get_string(&t);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	der_cursor c;
	der_tlv t;
	uint8_t out[256];
	der_writer w;
	size_t len;

	der_cursor_init(&c, data, size);
	walk(&c);
	/* re-encoding a parsed element reproduces it byte for byte */
	if (der_parse_single(data, size, DER_OCTET_STRING, &t) == DER_OK && t.len < 200) {
		der_writer_init(&w, out, sizeof out);
		der_put_octets(&w, t.val, t.len);
		if (der_writer_finish(&w, &len) != DER_OK || len != size)
			__builtin_trap();
		for (size_t i = 0; i < len; i++)
			if (out[i] != data[i])
				__builtin_trap();
	}
	return 0;
}
