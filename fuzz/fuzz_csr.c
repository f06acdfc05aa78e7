/* fuzz/fuzz_csr.c - the PKCS#10 parser (PEM or DER) and its self-signature
 * check. A CSR that parses must print and walk its requested SANs. */
#include <stdio.h>
#include <stdlib.h>

#include "core/asn1/name.h"
#include "core/pki/csr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t scratch[PB_CSR_MAX];
	static FILE *sink;
	static char text[1 << 16];
	pb_csr c;
	pb_general_name gn;
	size_t pos = 0;
	pb_err e;

	if (sink == NULL)
		sink = fopen("/dev/null", "w");
	if (pb_csr_load(data, size, scratch, sizeof scratch, &c, &e) != 0)
		return 0;
	pb_csr_print(sink, &c);
	if (pb_name_check(c.subject, c.subject_len, &e) == 0 &&
	    pb_name_to_text(c.subject, c.subject_len, text, sizeof text, &e) != 0)
		abort();
	while (pb_x509_san_next(c.san, c.san_len, &pos, &gn))
		if (gn.len > c.san_len)
			abort();
	int rc = pb_csr_verify(&c, &e);
	if (rc != 0 && rc != PB_EVERIFY)
		abort();
	return 0;
}
