/* core/pki/x509.c - X.509 v3 encoder; see x509.h. The parser and printer
 * are in x509_parse.c. */
#include "core/pki/x509.h"

#include <string.h>

#include "core/asn1/oid.h"

int pb_x509_random_serial(uint8_t serial[PB_SERIAL_LEN], pb_err *e)
{
	if (pb_random(serial, PB_SERIAL_LEN, e) != 0)
		return e->code;
	serial[0] = (uint8_t)((serial[0] & 0x3F) | 0x40);
	return 0;
}

/* keyUsage as a DER named-bit BIT STRING: trailing zero bits dropped. */
static void put_key_usage(der_writer *w, unsigned ku)
{
	uint8_t b[2] = {0, 0};
	int top = -1;

	for (int i = 0; i < 9; i++) {
		if (ku & (1u << i)) {
			b[i / 8] |= (uint8_t)(0x80u >> (i % 8));
			top = i;
		}
	}
	if (top < 0) {
		der_put_bits(w, b, 0, 0);
		return;
	}
	der_put_bits(w, b, (size_t)top / 8 + 1, 7u - (unsigned)top % 8);
}

/* Extension header; the value is an OCTET STRING wrapping DER. */
static void ext_begin(der_writer *w, const uint8_t *oid, size_t oid_len, int critical)
{
	der_begin(w, DER_SEQUENCE);
	der_put_oid(w, oid, oid_len);
	if (critical)
		der_put_bool(w, 1);
	der_begin(w, DER_OCTET_STRING);
}

static void ext_end(der_writer *w)
{
	der_end(w);
	der_end(w);
}

static int ia5_ok(const uint8_t *p, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (p[i] <= 0x20 || p[i] >= 0x7F)
			return 0;
	return 1;
}

int pb_x509_write_general_names(der_writer *w, const pb_general_name *gn, size_t n, pb_err *e)
{
	if (n == 0 || n > PB_SAN_MAX)
		return pb_fail(e, PB_EUSAGE, "subjectAltName: 1 to %d names", PB_SAN_MAX);
	der_begin(w, DER_SEQUENCE);
	for (size_t i = 0; i < n; i++) {
		if (gn[i].type != PB_GN_DNS && gn[i].type != PB_GN_URI && gn[i].type != PB_GN_EMAIL)
			return pb_fail(e, PB_EUSAGE, "subjectAltName: only DNS, URI and email names");
		if (!ia5_ok(gn[i].val, gn[i].len))
			return pb_fail(e, PB_EUSAGE, "subjectAltName: '%.*s': empty or not printable ASCII",
				(int)gn[i].len, (const char *)gn[i].val);
		der_put_tlv(w, DER_CTX_PRIM(gn[i].type), gn[i].val, gn[i].len);
	}
	der_end(w);
	return 0;
}

static void put_eku(der_writer *w, unsigned eku)
{
	der_begin(w, DER_SEQUENCE);
	if (eku & PB_EKU_SERVER_AUTH)
		der_put_oid(w, OID(OID_KP_SERVER_AUTH));
	if (eku & PB_EKU_CLIENT_AUTH)
		der_put_oid(w, OID(OID_KP_CLIENT_AUTH));
	if (eku & PB_EKU_CODE_SIGNING)
		der_put_oid(w, OID(OID_KP_CODE_SIGNING));
	der_end(w);
}

static int put_extensions(der_writer *w, const pb_cert_tmpl *t, const pb_signer *s, pb_err *e)
{
	uint8_t ski[20], aki[20];
	const uint8_t *akid = t->aki;
	size_t akid_len = t->aki_len;

	der_begin(w, DER_CTX(3));
	der_begin(w, DER_SEQUENCE);

	ext_begin(w, OID(OID_CE_BASIC_CONSTRAINTS), 1);
	der_begin(w, DER_SEQUENCE);
	if (t->is_ca) {
		der_put_bool(w, 1);
		if (t->pathlen >= 0)
			der_put_uint64(w, (uint64_t)t->pathlen);
	}
	der_end(w);
	ext_end(w);

	if (t->key_usage) {
		ext_begin(w, OID(OID_CE_KEY_USAGE), 1);
		put_key_usage(w, t->key_usage);
		ext_end(w);
	}
	if (t->ext_key_usage) {
		ext_begin(w, OID(OID_CE_EXT_KEY_USAGE), 0);
		put_eku(w, t->ext_key_usage);
		ext_end(w);
	}

	pb_pubkey_key_id(t->subject_key, ski);
	ext_begin(w, OID(OID_CE_SKI), 0);
	der_put_octets(w, ski, sizeof ski);
	ext_end(w);

	if (akid == NULL) {
		pb_pubkey_key_id(&s->pub, aki);
		akid = aki;
		akid_len = sizeof aki;
	}
	ext_begin(w, OID(OID_CE_AKI), 0);
	der_begin(w, DER_SEQUENCE);
	der_put_tlv(w, DER_CTX_PRIM(0), akid, akid_len);
	der_end(w);
	ext_end(w);

	if (t->san_count) {
		ext_begin(w, OID(OID_CE_SAN), 0);
		if (pb_x509_write_general_names(w, t->san, t->san_count, e) != 0)
			return e->code;
		ext_end(w);
	}
	der_end(w);
	der_end(w);
	return 0;
}

static int check_tmpl(const pb_cert_tmpl *t, pb_err *e)
{
	if (t->serial == NULL || t->serial_len == 0 || t->serial_len > PB_SERIAL_MAX ||
	    (t->serial[0] & 0x80))
		return pb_fail(e, PB_EUSAGE, "certificate: serial must be 1..20 bytes, positive");
	if (t->issuer == NULL || t->subject == NULL || t->subject_key == NULL)
		return pb_fail(e, PB_EUSAGE, "certificate: issuer, subject and key are required");
	if (t->not_after < t->not_before)
		return pb_fail(e, PB_EUSAGE, "certificate: validity ends before it starts");
	if (!t->is_ca && (t->pathlen >= 0 || (t->key_usage & PB_KU_KEY_CERT_SIGN)))
		return pb_fail(e, PB_EUSAGE, "certificate: pathlen and keyCertSign need a CA");
	if (t->aki && (t->aki_len == 0 || t->aki_len > PB_KEY_ID_MAX))
		return pb_fail(e, PB_EUSAGE, "certificate: bad authority key identifier");
	return 0;
}

static void put_tbs_head(der_writer *w, const pb_cert_tmpl *t, const pb_signer *s)
{
	der_begin(w, DER_CTX(0));
	der_put_uint64(w, 2);   /* v3 */
	der_end(w);
	der_put_uint_bytes(w, t->serial, t->serial_len);
	pb_sigalg_write(s->pub.alg, s->hash, w);
	der_put_raw(w, t->issuer, t->issuer_len);
	der_begin(w, DER_SEQUENCE);
	der_put_time(w, t->not_before);
	der_put_time(w, t->not_after);
	der_end(w);
	der_put_raw(w, t->subject, t->subject_len);
	pb_pubkey_write_spki(t->subject_key, w);
}

int pb_sign_append(der_writer *w, size_t start, const pb_signer *s, pb_err *e)
{
	uint8_t sig[PB_SIG_MAX];
	size_t siglen;

	if (w->st != DER_OK)
		return pb_fail(e, PB_EFAIL, "encoding: %s", der_strerror(w->st));
	if (s->sign == NULL || pb_signer_sign_data(s, w->buf + start, w->len - start, sig,
	    sizeof sig, &siglen, e) != 0)
		return s->sign ? pb_err_prefix(e, "signing") : pb_fail(e, PB_EFAIL, "no signer");
	pb_sigalg_write(s->pub.alg, s->hash, w);
	der_put_bits(w, sig, siglen, 0);
	return 0;
}

int pb_x509_encode(const pb_cert_tmpl *t, const pb_signer *s, uint8_t *out, size_t cap,
	size_t *len, pb_err *e)
{
	der_writer w;
	der_status st;
	size_t start;

	if (check_tmpl(t, e) != 0)
		return e->code;
	if (out == NULL)
		return pb_fail(e, PB_EFAIL, "certificate: no output buffer");
	der_writer_init(&w, out, cap);
	der_begin(&w, DER_SEQUENCE);
	start = w.len;
	der_begin(&w, DER_SEQUENCE);
	put_tbs_head(&w, t, s);
	if (put_extensions(&w, t, s, e) != 0)
		return e->code;
	der_end(&w);
	if (pb_sign_append(&w, start, s, e) != 0)
		return e->code;
	der_end(&w);
	if ((st = der_writer_finish(&w, len)) != DER_OK)
		return pb_fail(e, PB_EFAIL, "certificate: %s", der_strerror(st));
	return 0;
}
