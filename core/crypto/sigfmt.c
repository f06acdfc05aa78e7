/* core/crypto/sigfmt.c - ECDSA raw <-> DER, PKCS#1 DigestInfo; see sigfmt.h. */
#include "core/crypto/sigfmt.h"

#include <string.h>

#include "core/asn1/der.h"
#include "core/asn1/oid.h"

static int all_zero(const uint8_t *p, size_t n)
{
	uint8_t acc = 0;

	for (size_t i = 0; i < n; i++)
		acc |= p[i];
	return acc == 0;
}

int pb_ecdsa_raw_to_der(const uint8_t *raw, size_t rawlen, uint8_t *der, size_t cap, size_t *len,
	pb_err *e)
{
	size_t half = rawlen / 2;
	der_writer w;

	if (rawlen == 0 || rawlen % 2 != 0 || half > PB_ECDSA_COORD_MAX)
		return pb_fail(e, PB_EVERIFY, "ECDSA signature: %zu bytes is not r||s of a curve we know",
			rawlen);
	if (all_zero(raw, half) || all_zero(raw + half, half))
		return pb_fail(e, PB_EVERIFY, "ECDSA signature: r or s is zero");
	der_writer_init(&w, der, cap);
	der_begin(&w, DER_SEQUENCE);
	der_put_uint_bytes(&w, raw, half);
	der_put_uint_bytes(&w, raw + half, half);
	der_end(&w);
	if (der_writer_finish(&w, len) != DER_OK)
		return pb_fail(e, PB_EFAIL, "ECDSA signature: output buffer too small");
	return 0;
}

/* One INTEGER of the sequence, left-padded into out[coord_len]. */
static int get_coord(der_cursor *c, const char *name, size_t coord_len, uint8_t *out, pb_err *e)
{
	der_tlv t;
	const uint8_t *mag;
	size_t n;
	der_status st;

	if ((st = der_expect(c, DER_INTEGER, &t)) != DER_OK ||
	    (st = der_get_uint_bytes(&t, &mag, &n)) != DER_OK)
		return pb_fail(e, PB_EVERIFY, "ECDSA signature: %s: %s", name, der_strerror(st));
	if (n == 0 || all_zero(mag, n))
		return pb_fail(e, PB_EVERIFY, "ECDSA signature: %s is zero", name);
	if (n > coord_len)
		return pb_fail(e, PB_EVERIFY, "ECDSA signature: %s of %zu bytes, more than the curve's %zu",
			name, n, coord_len);
	memset(out, 0, coord_len - n);
	memcpy(out + coord_len - n, mag, n);
	return 0;
}

int pb_ecdsa_der_to_raw(const uint8_t *der, size_t derlen, size_t coord_len, uint8_t *raw,
	size_t cap, size_t *len, pb_err *e)
{
	der_cursor top, seq;
	der_status st;

	*len = 0;
	if (coord_len == 0 || coord_len > PB_ECDSA_COORD_MAX)
		return pb_fail(e, PB_EUSAGE, "ECDSA signature: no curve has %zu-byte coordinates", coord_len);
	if (cap < 2 * coord_len)
		return pb_fail(e, PB_EFAIL, "ECDSA signature: output buffer too small");
	der_cursor_init(&top, der, derlen);
	if ((st = der_enter(&top, DER_SEQUENCE, &seq)) != DER_OK || (st = der_finish(&top)) != DER_OK)
		return pb_fail(e, PB_EVERIFY, "ECDSA signature: %s", der_strerror(st));
	if (get_coord(&seq, "r", coord_len, raw, e) != 0 ||
	    get_coord(&seq, "s", coord_len, raw + coord_len, e) != 0)
		return e->code;
	if ((st = der_finish(&seq)) != DER_OK)
		return pb_fail(e, PB_EVERIFY, "ECDSA signature: %s", der_strerror(st));
	*len = 2 * coord_len;
	return 0;
}

int pb_digest_info(pb_hash h, const uint8_t *digest, size_t dlen, uint8_t *out, size_t cap,
	size_t *len, pb_err *e)
{
	const char *oid = h == PB_HASH_SHA384 ? OID_SHA384 : OID_SHA256;
	der_writer w;

	if ((h != PB_HASH_SHA256 && h != PB_HASH_SHA384) || dlen != pb_hash_len(h))
		return pb_fail(e, PB_EUSAGE, "DigestInfo: a digest of %zu bytes is not of its hash", dlen);
	der_writer_init(&w, out, cap);
	der_begin(&w, DER_SEQUENCE);
	der_begin(&w, DER_SEQUENCE);
	der_put_oid(&w, (const uint8_t *)oid, strlen(oid));
	der_put_null(&w);
	der_end(&w);
	der_put_octets(&w, digest, dlen);
	der_end(&w);
	if (der_writer_finish(&w, len) != DER_OK)
		return pb_fail(e, PB_EFAIL, "DigestInfo: output buffer too small");
	return 0;
}
