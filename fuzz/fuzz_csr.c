/* fuzz/fuzz_csr.c - the PKCS#10 parser (PEM or DER) and its self-signature
 * check. A CSR that parses must print (text and JSON), print its subject,
 * walk its requested SANs, and give 0 or 5 from the signature check; and
 * re-encoded by our encoder (our signer, same subject and SANs) it must
 * parse back to the same subject and SANs and verify (parse -> encode ->
 * parse). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/asn1/name.h"
#include "core/pki/csr.h"
#include "fuzz/fuzz_signer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void reencode(const pb_csr *c)
{
	static uint8_t out[PB_CSR_MAX];
	pb_general_name gn[PB_SAN_MAX];
	pb_csr b;
	size_t pos = 0, n = 0, len;
	pb_err e;

	while (n < PB_SAN_MAX && pb_x509_san_next(c->san, c->san_len, &pos, &gn[n]))
		n++;
	if (pos < c->san_len)
		return;   /* more names than we write */
	if (pb_csr_encode(c->subject, c->subject_len, n ? gn : NULL, n, fuzz_signer(), out, sizeof out,
	    &len, &e) != 0)
		return;   /* what we do not write (IP SANs, ...): refused, fine */
	if (pb_csr_parse(out, len, &b, &e) != 0 || pb_csr_verify(&b, &e) != 0 ||
	    b.subject_len != c->subject_len || memcmp(b.subject, c->subject, c->subject_len) != 0 ||
	    !pb_pubkey_equal(&b.pub, &fuzz_signer()->pub) || b.san_len != (n ? c->san_len : 0) ||
	    (n && memcmp(b.san, c->san, c->san_len) != 0))
		abort();
}

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
	pb_csr_print_json(sink, &c);
	if (pb_name_check(c.subject, c.subject_len, &e) == 0 &&
	    pb_name_to_text(c.subject, c.subject_len, text, sizeof text, &e) != 0)
		abort();
	while (pb_x509_san_next(c.san, c.san_len, &pos, &gn))
		if (gn.len > c.san_len)
			abort();
	int rc = pb_csr_verify(&c, &e);
	if (rc != 0 && rc != PB_EVERIFY)
		abort();
	reencode(&c);
	return 0;
}
