/* core/csr.c - PKCS#10 encode, parse, verify; see csr.h. */
#include "core/csr.h"

#include <string.h>

#include "core/name.h"
#include "core/oid.h"
#include "core/pem.h"

int pb_csr_encode(const uint8_t *subject, size_t subject_len, const pb_general_name *san,
	size_t san_count, const pb_signer *s, uint8_t *out, size_t cap, size_t *len, pb_err *e)
{
	der_writer w;
	der_status st;
	size_t start;

	if (out == NULL || subject == NULL)
		return pb_fail(e, PB_EFAIL, "CSR: no subject or output buffer");
	der_writer_init(&w, out, cap);
	der_begin(&w, DER_SEQUENCE);
	start = w.len;
	der_begin(&w, DER_SEQUENCE);
	der_put_uint64(&w, 0);
	der_put_raw(&w, subject, subject_len);
	pb_pubkey_write_spki(&s->pub, &w);
	der_begin(&w, DER_CTX(0));
	if (san_count) {
		/* extensionRequest { subjectAltName } */
		der_begin(&w, DER_SEQUENCE);
		der_put_oid(&w, OID(OID_PKCS9_EXT_REQUEST));
		der_begin(&w, DER_SET);
		der_begin(&w, DER_SEQUENCE);
		der_begin(&w, DER_SEQUENCE);
		der_put_oid(&w, OID(OID_CE_SAN));
		der_begin(&w, DER_OCTET_STRING);
		if (pb_x509_write_general_names(&w, san, san_count, e) != 0)
			return e->code;
		der_end(&w);
		der_end(&w);
		der_end(&w);
		der_end(&w);
		der_end(&w);
	}
	der_end(&w);
	der_end(&w);
	if (pb_sign_append(&w, start, s, e) != 0)
		return e->code;
	der_end(&w);
	if ((st = der_writer_finish(&w, len)) != DER_OK)
		return pb_fail(e, PB_EFAIL, "CSR: %s", der_strerror(st));
	return 0;
}
