/* fuzz/fuzz_x509.c - the certificate parser (PEM or DER). A certificate
 * that parses must print (text and JSON), give its names as text, walk its
 * SANs, and survive a signature check; its DER must parse to the same
 * fields; and re-encoded by our encoder from what was parsed (our signer),
 * it must parse back to the same fields (parse -> encode -> parse). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/asn1/name.h"
#include "core/pki/x509.h"
#include "fuzz/fuzz_signer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Encode what c holds with our encoder and compare the parse of it. */
static void reencode(const pb_x509 *c)
{
	static uint8_t out[PB_X509_MAX];
	pb_general_name gn[PB_SAN_MAX];
	pb_cert_tmpl t = {0};
	pb_x509 b;
	size_t pos = 0, n = 0, len;
	pb_err e;

	while (n < PB_SAN_MAX && pb_x509_san_next(c->san, c->san_len, &pos, &gn[n]))
		n++;
	if (pos < c->san_len)
		return;   /* more names than we write */
	t.serial = c->serial;
	t.serial_len = c->serial_len;
	t.issuer = c->issuer;
	t.issuer_len = c->issuer_len;
	t.subject = c->subject;
	t.subject_len = c->subject_len;
	t.not_before = c->not_before;
	t.not_after = c->not_after;
	t.subject_key = &c->pub;
	t.is_ca = c->is_ca;
	t.pathlen = c->is_ca ? c->pathlen : -1;
	t.key_usage = c->key_usage;
	t.ext_key_usage = c->ext_key_usage & (PB_EKU_SERVER_AUTH | PB_EKU_CLIENT_AUTH | PB_EKU_CODE_SIGNING);
	t.aki = c->aki;
	t.aki_len = c->aki_len;
	t.san = n ? gn : NULL;
	t.san_count = n;
	if (pb_x509_encode(&t, fuzz_signer(), out, sizeof out, &len, &e) != 0)
		return;   /* what we do not write (IP SANs, serial 0, ...): refused, fine */
	if (pb_x509_parse(out, len, &b, &e) != 0 || pb_x509_verify(&b, &fuzz_signer()->pub, &e) != 0 ||
	    b.serial_len != c->serial_len || memcmp(b.serial, c->serial, c->serial_len) != 0 ||
	    b.subject_len != c->subject_len || memcmp(b.subject, c->subject, c->subject_len) != 0 ||
	    b.issuer_len != c->issuer_len || memcmp(b.issuer, c->issuer, c->issuer_len) != 0 ||
	    b.not_before != c->not_before || b.not_after != c->not_after || !pb_pubkey_equal(&b.pub, &c->pub) ||
	    b.is_ca != c->is_ca || b.key_usage != c->key_usage || b.san_len != (n ? c->san_len : 0) ||
	    (n && memcmp(b.san, c->san, c->san_len) != 0))
		abort();
}

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
	reencode(&c);
	if (pb_x509_parse(c.der, c.der_len, &again, &e) != 0 || again.serial_len != c.serial_len ||
	    again.has != c.has || again.not_after != c.not_after || !pb_pubkey_equal(&again.pub, &c.pub))
		abort();
	return 0;
}
