/* core/crypto/sigfmt.c - ECDSA raw/DER and DigestInfo; see sigfmt.h. */
#include "core/crypto/sigfmt.h"

#include <string.h>

#include "core/asn1/der.h"

#define ECDSA_RAW_MAX 132   /* P-521 */

int pb_ecdsa_raw_to_der(const uint8_t *raw, size_t rawlen, uint8_t *der, size_t cap, size_t *len,
	pb_err *e)
{
	uint8_t buf[ECDSA_RAW_MAX + 16];
	size_t n;

	if (rawlen == 0 || rawlen % 2 || rawlen > ECDSA_RAW_MAX)
		return pb_fail(e, PB_EFAIL, "ECDSA signature of %zu bytes is not r||s", rawlen);
	memcpy(buf, raw, rawlen);
	/* BearSSL converts in place; the buffer has room for the DER growth */
	n = br_ecdsa_raw_to_asn1(buf, rawlen);
	if (n == 0 || n > cap)
		return pb_fail(e, PB_EFAIL, "ECDSA signature: no room for its DER form");
	memcpy(der, buf, n);
	*len = n;
	return 0;
}

int pb_ecdsa_der_to_raw(const uint8_t *der, size_t derlen, size_t coord_len, uint8_t *raw,
	size_t cap, size_t *len, pb_err *e)
{
	uint8_t buf[ECDSA_RAW_MAX + 16];
	size_t n;

	if (derlen > sizeof buf || coord_len == 0 || 2 * coord_len > ECDSA_RAW_MAX)
		return pb_fail(e, PB_EVERIFY, "ECDSA signature: bad length");
	memcpy(buf, der, derlen);
	n = br_ecdsa_asn1_to_raw(buf, derlen);
	if (n == 0 || n > 2 * coord_len)
		return pb_fail(e, PB_EVERIFY, "ECDSA signature: not a DER SEQUENCE of two INTEGERs");
	if (2 * coord_len > cap)
		return pb_fail(e, PB_EFAIL, "ECDSA signature: no room for r||s");
	/* BearSSL pads both halves to the larger of the two: widen to coord_len */
	memset(raw, 0, 2 * coord_len);
	memcpy(raw + coord_len - n / 2, buf, n / 2);
	memcpy(raw + 2 * coord_len - n / 2, buf + n / 2, n / 2);
	*len = 2 * coord_len;
	return 0;
}

int pb_digest_info(pb_hash h, const uint8_t *digest, size_t dlen, uint8_t *out, size_t cap,
	size_t *len, pb_err *e)
{
	const unsigned char *oid = pb_hash_rsa_oid(h);   /* length-prefixed */
	der_writer w;

	if (dlen != pb_hash_len(h))
		return pb_fail(e, PB_EFAIL, "digest of %zu bytes for a %zu-byte hash", dlen, pb_hash_len(h));
	der_writer_init(&w, out, cap);
	der_begin(&w, DER_SEQUENCE);
	der_begin(&w, DER_SEQUENCE);
	der_put_oid(&w, oid + 1, oid[0]);
	der_put_null(&w);
	der_end(&w);
	der_put_octets(&w, digest, dlen);
	der_end(&w);
	if (der_writer_finish(&w, len) != DER_OK)
		return pb_fail(e, PB_EFAIL, "DigestInfo: no room");
	return 0;
}
