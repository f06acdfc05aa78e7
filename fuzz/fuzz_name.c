/* fuzz/fuzz_name.c - distinguished names both ways. As DER (a Name from a
 * certificate or CSR): what pb_name_check accepts, pb_name_to_text prints
 * without error and pb_name_find walks. As text (--subject): what
 * pb_name_from_text encodes is a valid Name, and text -> DER -> text ->
 * DER gives the same bytes. */
#include <stdlib.h>
#include <string.h>

#include "core/asn1/name.h"
#include "core/asn1/oid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* worst case of to_text: every byte as \xHH, plus types and separators */
	static char text[1 << 16], in[PB_NAME_TEXT_MAX * 2];
	static uint8_t der[4096], der2[4096];
	const uint8_t *v;
	size_t vlen, n, n2;
	pb_err e;

	if (size <= 8192 && pb_name_check(data, size, &e) == 0) {
		if (pb_name_to_text(data, size, text, sizeof text, &e) != 0)
			abort();
		(void)pb_name_find(data, size, OID(OID_AT_CN), &v, &vlen);
	} else {
		(void)pb_name_to_text(data, size, text, sizeof text, &e);
	}
	if (size >= sizeof in)
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';
	if (pb_name_from_text(in, der, sizeof der, &n, &e) != 0)
		return 0;
	if (n > sizeof der || pb_name_check(der, n, &e) != 0 ||
	    pb_name_to_text(der, n, text, sizeof text, &e) != 0)
		abort();
	/* printable text reads back to the same Name (\xHH is output only) */
	if (strstr(text, "\\x") == NULL && strchr(text, '+') == NULL &&
	    (pb_name_from_text(text, der2, sizeof der2, &n2, &e) != 0 || n2 != n ||
	     memcmp(der, der2, n) != 0))
		abort();
	return 0;
}
