/* fuzz/fuzz_x509.c - the certificate parser (PEM or DER). A certificate
 * that parses must print, give its names as text, walk its SANs, and
 * survive a signature check; its DER must parse to the same fields. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/asn1/name.h"
#include "core/pki/x509.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t scratch[PB_X509_MAX];
	static FILE *sink;
	pb_x509 c, again;
	pb_general_name gn;
	static char text[1 << 16];
	size_t pos = 0;
	pb_err e;

	if (sink == NULL)
		sink = fopen("/dev/null", "w");
	if (pb_x509_load(data, size, scratch, sizeof scratch, &c, &e) != 0)
		return 0;
	pb_x509_print(sink, &c);
	/* names the parser let through print (the printer must not fail on them) */
	if ((pb_name_check(c.subject, c.subject_len, &e) == 0 &&
	     pb_name_to_text(c.subject, c.subject_len, text, sizeof text, &e) != 0) ||
	    (pb_name_check(c.issuer, c.issuer_len, &e) == 0 &&
	     pb_name_to_text(c.issuer, c.issuer_len, text, sizeof text, &e) != 0))
		abort();
	(void)pb_name_to_text(c.issuer, c.issuer_len, text, 8, &e);
	while (pb_x509_san_next(c.san, c.san_len, &pos, &gn))
		if (gn.len > c.san_len)
			abort();
	(void)pb_x509_verify(&c, &c.pub, &e);
	if (pb_x509_parse(c.der, c.der_len, &again, &e) != 0 || again.serial_len != c.serial_len ||
	    again.has != c.has || again.not_after != c.not_after || !pb_pubkey_equal(&again.pub, &c.pub))
		abort();
	return 0;
}
