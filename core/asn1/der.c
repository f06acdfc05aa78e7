/* core/asn1/der.c - strict DER reader and writer; see der.h. */
#include "core/asn1/der.h"

#include <stdio.h>
#include <string.h>

static const char *const der_texts[DER_STATUS_COUNT] = {
	[DER_OK] = "ok",
	[DER_E_TRUNCATED_HEADER] = "truncated tag or length",
	[DER_E_TRUNCATED_VALUE] = "length beyond the end of the input",
	[DER_E_INDEFINITE_LENGTH] = "indefinite length (BER, not DER)",
	[DER_E_NONMINIMAL_LENGTH] = "non-minimal length encoding",
	[DER_E_LENGTH_TOO_LONG] = "length field too long",
	[DER_E_TAG_NONMINIMAL] = "non-minimal tag encoding",
	[DER_E_TAG_TOO_BIG] = "tag number too big",
	[DER_E_TRAILING_DATA] = "trailing data after the structure",
	[DER_E_UNEXPECTED_TAG] = "unexpected element",
	[DER_E_DEPTH] = "nesting too deep",
	[DER_E_NOT_CONSTRUCTED] = "constructed type encoded as primitive",
	[DER_E_NOT_PRIMITIVE] = "primitive type encoded as constructed",
	[DER_E_INT_EMPTY] = "empty INTEGER",
	[DER_E_INT_NONMINIMAL] = "non-minimal INTEGER encoding",
	[DER_E_INT_NEGATIVE] = "negative INTEGER",
	[DER_E_INT_OVERFLOW] = "INTEGER too large",
	[DER_E_BOOL_LENGTH] = "BOOLEAN not one octet",
	[DER_E_BOOL_VALUE] = "BOOLEAN neither 0x00 nor 0xFF",
	[DER_E_NULL_LENGTH] = "NULL with content",
	[DER_E_OID_EMPTY] = "empty OBJECT IDENTIFIER",
	[DER_E_OID_NONMINIMAL] = "non-minimal OBJECT IDENTIFIER arc",
	[DER_E_OID_TRUNCATED] = "truncated OBJECT IDENTIFIER arc",
	[DER_E_OID_TOO_LONG] = "OBJECT IDENTIFIER arc too large",
	[DER_E_BITSTRING_EMPTY] = "BIT STRING without unused-bits octet",
	[DER_E_BITSTRING_UNUSED] = "bad BIT STRING unused-bits count",
	[DER_E_BITSTRING_PADDING] = "BIT STRING padding bits not zero",
	[DER_E_TIME_FORMAT] = "time not in DER form",
	[DER_E_TIME_VALUE] = "time field out of range",
	[DER_E_STRING_CHARSET] = "character not allowed in string type",
	[DER_E_STRING_UTF8] = "invalid UTF-8",
	[DER_E_WRITER_OVERFLOW] = "output buffer too small",
	[DER_E_WRITER_NESTING] = "unbalanced constructed elements",
};

const char *der_strerror(der_status st)
{
	if ((unsigned)st >= DER_STATUS_COUNT)
		return "unknown DER error";
	return der_texts[st];
}

int der_fail(pb_err *e, int code, der_status st, const char *what)
{
	return pb_fail(e, code, "%s: malformed DER: %s", what, der_strerror(st));
}

/* ------------------------------------------------------------------ */
/* reader */

void der_cursor_init(der_cursor *c, const uint8_t *buf, size_t len)
{
	c->p = buf;
	c->len = buf ? len : 0;
	c->pos = 0;
	c->depth = 0;
}

/* Decode the header at c->pos without moving; *hdr = header size. */
static der_status read_header(const der_cursor *c, uint32_t *tag, size_t *hdr, size_t *vlen)
{
	size_t pos = c->pos, n = c->len;
	uint32_t num;
	uint8_t b0, b;

	if (pos >= n)
		return DER_E_TRUNCATED_HEADER;
	b0 = c->p[pos++];
	num = b0 & 0x1Fu;
	if (num == 0x1F) {
		/* high tag number form: base-128, minimal, >= 31, < 2^21 */
		num = 0;
		if (pos >= n)
			return DER_E_TRUNCATED_HEADER;
		if (c->p[pos] == 0x80)
			return DER_E_TAG_NONMINIMAL;
		for (int i = 0;; i++) {
			if (pos >= n)
				return DER_E_TRUNCATED_HEADER;
			if (i == 3)
				return DER_E_TAG_TOO_BIG;
			b = c->p[pos++];
			num = (num << 7) | (b & 0x7Fu);
			if (!(b & 0x80))
				break;
		}
		if (num < 31)
			return DER_E_TAG_NONMINIMAL;
	}
	*tag = DER_TAG(b0, num);

	if (pos >= n)
		return DER_E_TRUNCATED_HEADER;
	b = c->p[pos++];
	if (b < 0x80) {
		*vlen = b;
	} else if (b == 0x80) {
		return DER_E_INDEFINITE_LENGTH;
	} else {
		size_t k = b & 0x7Fu, v = 0;

		if (k > 4)
			return DER_E_LENGTH_TOO_LONG;
		if (n - pos < k)
			return DER_E_TRUNCATED_HEADER;
		if (c->p[pos] == 0)
			return DER_E_NONMINIMAL_LENGTH;
		for (size_t i = 0; i < k; i++)
			v = (v << 8) | c->p[pos++];
		if (v < 0x80)
			return DER_E_NONMINIMAL_LENGTH;
		*vlen = v;
	}
	if (*vlen > n - pos)
		return DER_E_TRUNCATED_VALUE;
	*hdr = pos - c->pos;
	return DER_OK;
}

/* Universal types whose constructed-ness DER fixes. */
static der_status check_form(uint32_t tag)
{
	uint32_t cls = tag >> 24 & 0xC0u, num = DER_TAG_NUMBER(tag);

	if (cls != 0)
		return DER_OK;
	if (num == 16 || num == 17)
		return DER_TAG_CONSTRUCTED(tag) ? DER_OK : DER_E_NOT_CONSTRUCTED;
	/* DER forbids constructed encodings of all string and scalar types */
	return DER_TAG_CONSTRUCTED(tag) ? DER_E_NOT_PRIMITIVE : DER_OK;
}

der_status der_next(der_cursor *c, der_tlv *t)
{
	size_t hdr, vlen;
	der_status st = read_header(c, &t->tag, &hdr, &vlen);

	if (st != DER_OK)
		return st;
	if ((st = check_form(t->tag)) != DER_OK)
		return st;
	t->raw = c->p + c->pos;
	t->raw_len = hdr + vlen;
	t->val = t->raw + hdr;
	t->len = vlen;
	c->pos += hdr + vlen;
	return DER_OK;
}

der_status der_peek(const der_cursor *c, uint32_t *tag)
{
	size_t hdr, vlen;

	return read_header(c, tag, &hdr, &vlen);
}

der_status der_expect(der_cursor *c, uint32_t tag, der_tlv *t)
{
	der_cursor save = *c;
	der_status st = der_next(c, t);

	if (st != DER_OK)
		return st;
	if (t->tag != tag) {
		/* same number, wrong form: say which */
		*c = save;
		if ((t->tag & ~DER_TAG(0x20, 0)) == (tag & ~DER_TAG(0x20, 0)))
			return DER_TAG_CONSTRUCTED(tag) ? DER_E_NOT_CONSTRUCTED : DER_E_NOT_PRIMITIVE;
		return DER_E_UNEXPECTED_TAG;
	}
	return DER_OK;
}

der_status der_optional(der_cursor *c, uint32_t tag, der_tlv *t, int *present)
{
	uint32_t next;

	*present = 0;
	if (der_remaining(c) == 0)
		return DER_OK;
	der_status st = der_peek(c, &next);
	if (st != DER_OK)
		return st;
	if (next != tag)
		return DER_OK;
	*present = 1;
	return der_expect(c, tag, t);
}

der_status der_enter_tlv(const der_cursor *c, const der_tlv *t, der_cursor *inner)
{
	if (!DER_TAG_CONSTRUCTED(t->tag))
		return DER_E_NOT_CONSTRUCTED;
	if (c->depth + 1 >= DER_MAX_DEPTH)
		return DER_E_DEPTH;
	der_cursor_init(inner, t->val, t->len);
	inner->depth = c->depth + 1;
	return DER_OK;
}

der_status der_enter(der_cursor *c, uint32_t tag, der_cursor *inner)
{
	der_tlv t;
	der_status st = der_expect(c, tag, &t);

	if (st != DER_OK)
		return st;
	return der_enter_tlv(c, &t, inner);
}

der_status der_finish(const der_cursor *c)
{
	return c->pos == c->len ? DER_OK : DER_E_TRAILING_DATA;
}

der_status der_parse_single(const uint8_t *buf, size_t len, uint32_t tag, der_tlv *t)
{
	der_cursor c;
	der_status st;

	der_cursor_init(&c, buf, len);
	if ((st = der_expect(&c, tag, t)) != DER_OK)
		return st;
	return der_finish(&c);
}

/* ------------------------------------------------------------------ */
/* value decoders */

static der_status check_int(const der_tlv *t)
{
	if (t->tag != DER_INTEGER)
		return DER_E_UNEXPECTED_TAG;
	if (t->len == 0)
		return DER_E_INT_EMPTY;
	if (t->len > 1 && ((t->val[0] == 0x00 && !(t->val[1] & 0x80)) ||
	                   (t->val[0] == 0xFF && (t->val[1] & 0x80))))
		return DER_E_INT_NONMINIMAL;
	return DER_OK;
}

der_status der_get_uint_bytes(const der_tlv *t, const uint8_t **mag, size_t *len)
{
	der_status st = check_int(t);

	if (st != DER_OK)
		return st;
	if (t->val[0] & 0x80)
		return DER_E_INT_NEGATIVE;
	*mag = t->val;
	*len = t->len;
	if (t->len > 1 && t->val[0] == 0) {
		(*mag)++;
		(*len)--;
	}
	return DER_OK;
}

der_status der_get_uint64(const der_tlv *t, uint64_t *v)
{
	const uint8_t *m;
	size_t n;
	der_status st = der_get_uint_bytes(t, &m, &n);

	if (st != DER_OK)
		return st;
	if (n > 8)
		return DER_E_INT_OVERFLOW;
	*v = 0;
	for (size_t i = 0; i < n; i++)
		*v = (*v << 8) | m[i];
	return DER_OK;
}

der_status der_get_int64(const der_tlv *t, int64_t *v)
{
	der_status st = check_int(t);
	uint64_t u;

	if (st != DER_OK)
		return st;
	if (t->len > 8)
		return DER_E_INT_OVERFLOW;
	u = (t->val[0] & 0x80) ? UINT64_MAX : 0;
	for (size_t i = 0; i < t->len; i++)
		u = (u << 8) | t->val[i];
	memcpy(v, &u, sizeof *v);
	return DER_OK;
}

der_status der_get_bool(const der_tlv *t, int *v)
{
	if (t->tag != DER_BOOLEAN)
		return DER_E_UNEXPECTED_TAG;
	if (t->len != 1)
		return DER_E_BOOL_LENGTH;
	if (t->val[0] != 0x00 && t->val[0] != 0xFF)
		return DER_E_BOOL_VALUE;
	*v = t->val[0] != 0;
	return DER_OK;
}

der_status der_get_null(const der_tlv *t)
{
	if (t->tag != DER_NULL)
		return DER_E_UNEXPECTED_TAG;
	return t->len == 0 ? DER_OK : DER_E_NULL_LENGTH;
}

#define OID_MAX_ARCS 64

der_status der_get_oid(const der_tlv *t)
{
	size_t arcs = 0;

	if (t->tag != DER_OID)
		return DER_E_UNEXPECTED_TAG;
	if (t->len == 0)
		return DER_E_OID_EMPTY;
	for (size_t i = 0; i < t->len;) {
		size_t start = i;

		if (t->val[i] == 0x80)
			return DER_E_OID_NONMINIMAL;
		while (i < t->len && (t->val[i] & 0x80))
			i++;
		if (i == t->len)
			return DER_E_OID_TRUNCATED;
		i++;
		/* 5 octets carry 35 bits: more than 32 is refused */
		if (i - start > 5 || (i - start == 5 && (t->val[start] & 0x7F) > 0x0F))
			return DER_E_OID_TOO_LONG;
		if (++arcs > OID_MAX_ARCS)
			return DER_E_OID_TOO_LONG;
	}
	return DER_OK;
}

int der_oid_eq(const der_tlv *t, const uint8_t *oid, size_t oid_len)
{
	return t->tag == DER_OID && t->len == oid_len && memcmp(t->val, oid, oid_len) == 0;
}

der_status der_oid_to_text(const der_tlv *t, char *buf, size_t cap)
{
	der_status st = der_get_oid(t);
	size_t used = 0;
	uint32_t v = 0;
	int first = 1;

	if (st != DER_OK)
		return st;
	if (cap == 0)
		return DER_E_WRITER_OVERFLOW;
	buf[0] = '\0';
	for (size_t i = 0; i < t->len; i++) {
		int n;

		v = (v << 7) | (t->val[i] & 0x7Fu);
		if (t->val[i] & 0x80)
			continue;
		if (first) {
			unsigned a = v < 40 ? 0 : v < 80 ? 1 : 2;
			n = snprintf(buf + used, cap - used, "%u.%u", a, v - 40 * a);
			first = 0;
		} else {
			n = snprintf(buf + used, cap - used, ".%u", v);
		}
		if (n < 0 || (size_t)n >= cap - used)
			return DER_E_WRITER_OVERFLOW;
		used += (size_t)n;
		v = 0;
	}
	return DER_OK;
}

der_status der_get_bits(const der_tlv *t, const uint8_t **bits, size_t *len, unsigned *unused)
{
	if (t->tag != DER_BIT_STRING)
		return DER_E_UNEXPECTED_TAG;
	if (t->len == 0)
		return DER_E_BITSTRING_EMPTY;
	if (t->val[0] > 7 || (t->len == 1 && t->val[0] != 0))
		return DER_E_BITSTRING_UNUSED;
	if (t->len > 1 && (t->val[t->len - 1] & ((1u << t->val[0]) - 1)))
		return DER_E_BITSTRING_PADDING;
	*bits = t->val + 1;
	*len = t->len - 1;
	*unused = t->val[0];
	return DER_OK;
}

int64_t der_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	/* Howard Hinnant's algorithm: exact for the proleptic Gregorian calendar */
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

void der_civil_from_epoch(int64_t epoch, int64_t *y, unsigned *mo, unsigned *d,
	unsigned *h, unsigned *mi, unsigned *s)
{
	int64_t days = epoch / 86400, rem = epoch % 86400;

	if (rem < 0) {
		rem += 86400;
		days--;
	}
	*h = (unsigned)(rem / 3600);
	*mi = (unsigned)(rem / 60 % 60);
	*s = (unsigned)(rem % 60);
	days += 719468;
	int64_t era = (days >= 0 ? days : days - 146096) / 146097;
	unsigned doe = (unsigned)(days - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*mo = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*mo <= 2);
}

static int digits(const uint8_t *p, size_t n, unsigned *v)
{
	*v = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return 0;
		*v = *v * 10 + (unsigned)(p[i] - '0');
	}
	return 1;
}

static int days_in_month(int64_t y, unsigned m)
{
	static const unsigned char dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return dm[m - 1] + (m == 2 && leap);
}

der_status der_get_time(const der_tlv *t, int64_t *epoch)
{
	const uint8_t *p = t->val;
	unsigned yy, mo, d, h, mi, s;
	int64_t year;
	size_t ylen;

	if (t->tag == DER_UTC_TIME)
		ylen = 2;
	else if (t->tag == DER_GENERALIZED_TIME)
		ylen = 4;
	else
		return DER_E_UNEXPECTED_TAG;
	/* RFC 5280: seconds always present, always Zulu, no fractions */
	if (t->len != ylen + 11 || p[t->len - 1] != 'Z')
		return DER_E_TIME_FORMAT;
	if (!digits(p, ylen, &yy) || !digits(p + ylen, 2, &mo) ||
	    !digits(p + ylen + 2, 2, &d) || !digits(p + ylen + 4, 2, &h) ||
	    !digits(p + ylen + 6, 2, &mi) || !digits(p + ylen + 8, 2, &s))
		return DER_E_TIME_FORMAT;
	year = ylen == 2 ? (yy < 50 ? 2000 + yy : 1900 + yy) : yy;
	if (mo < 1 || mo > 12 || d < 1 || (int)d > days_in_month(year, mo) ||
	    h > 23 || mi > 59 || s > 59)
		return DER_E_TIME_VALUE;
	*epoch = der_days_from_civil(year, mo, d) * 86400 + h * 3600 + mi * 60 + s;
	return DER_OK;
}

static int printable_char(uint8_t ch)
{
	if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'))
		return 1;
	return ch != 0 && strchr(" '()+,-./:=?", ch) != NULL;
}

/* Well-formed, shortest-form UTF-8 without surrogates. */
static int utf8_valid(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n;) {
		uint8_t c = p[i];
		size_t k;
		uint32_t cp, min;

		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xE0) == 0xC0) {
			k = 1; cp = c & 0x1F; min = 0x80;
		} else if ((c & 0xF0) == 0xE0) {
			k = 2; cp = c & 0x0F; min = 0x800;
		} else if ((c & 0xF8) == 0xF0) {
			k = 3; cp = c & 0x07; min = 0x10000;
		} else {
			return 0;
		}
		if (n - i - 1 < k)
			return 0;
		for (size_t j = 1; j <= k; j++) {
			if ((p[i + j] & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i + j] & 0x3Fu);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		i += k + 1;
	}
	return 1;
}

der_status der_get_string(const der_tlv *t)
{
	switch (t->tag) {
	case DER_PRINTABLE_STRING:
		for (size_t i = 0; i < t->len; i++)
			if (!printable_char(t->val[i]))
				return DER_E_STRING_CHARSET;
		return DER_OK;
	case DER_IA5_STRING:
		for (size_t i = 0; i < t->len; i++)
			if (t->val[i] > 0x7F)
				return DER_E_STRING_CHARSET;
		return DER_OK;
	case DER_UTF8_STRING:
		return utf8_valid(t->val, t->len) ? DER_OK : DER_E_STRING_UTF8;
	case DER_BMP_STRING:
		return t->len % 2 ? DER_E_STRING_CHARSET : DER_OK;
	case DER_T61_STRING:
		return DER_OK;
	default:
		return DER_E_UNEXPECTED_TAG;
	}
}

/* ------------------------------------------------------------------ */
/* writer */

void der_writer_init(der_writer *w, uint8_t *buf, size_t cap)
{
	w->buf = buf;
	w->cap = buf ? cap : 0;
	w->len = 0;
	w->st = DER_OK;
	w->depth = 0;
}

static void put_bytes(der_writer *w, const uint8_t *p, size_t n)
{
	if (w->st != DER_OK)
		return;
	if (w->buf) {
		if (w->cap - w->len < n) {
			w->st = DER_E_WRITER_OVERFLOW;
			return;
		}
		if (n)
			memcpy(w->buf + w->len, p, n);
	}
	w->len += n;
}

static size_t tag_bytes(uint32_t tag, uint8_t out[4])
{
	uint8_t bits = (uint8_t)(tag >> 24);
	uint32_t num = DER_TAG_NUMBER(tag);

	if (num < 31) {
		out[0] = bits | (uint8_t)num;
		return 1;
	}
	out[0] = bits | 0x1F;
	size_t n = 1;
	uint8_t tmp[3];
	size_t k = 0;
	do {
		tmp[k++] = num & 0x7F;
		num >>= 7;
	} while (num && k < 3);
	while (k--)
		out[n++] = tmp[k] | (k ? 0x80 : 0);
	return n;
}

static size_t len_bytes(size_t len, uint8_t out[5])
{
	if (len < 0x80) {
		out[0] = (uint8_t)len;
		return 1;
	}
	size_t k = 0;
	for (size_t v = len; v; v >>= 8)
		k++;
	out[0] = (uint8_t)(0x80 | k);
	for (size_t i = 0; i < k; i++)
		out[1 + i] = (uint8_t)(len >> (8 * (k - 1 - i)));
	return k + 1;
}

void der_put_tlv(der_writer *w, uint32_t tag, const uint8_t *val, size_t len)
{
	uint8_t hdr[9];
	size_t n = tag_bytes(tag, hdr);

	n += len_bytes(len, hdr + n);
	put_bytes(w, hdr, n);
	put_bytes(w, val, len);
}

void der_put_raw(der_writer *w, const uint8_t *der, size_t len)
{
	put_bytes(w, der, len);
}

void der_begin(der_writer *w, uint32_t tag)
{
	uint8_t hdr[4];

	if (w->st != DER_OK)
		return;
	if (w->depth >= DER_MAX_DEPTH) {
		w->st = DER_E_WRITER_NESTING;
		return;
	}
	put_bytes(w, hdr, tag_bytes(tag, hdr));
	w->open[w->depth++] = w->len;
	/* one length octet reserved; der_end widens it if needed */
	put_bytes(w, (const uint8_t *)"", 1);
}

void der_begin_bits(der_writer *w)
{
	static const uint8_t zero = 0;

	der_begin(w, DER_BIT_STRING);
	put_bytes(w, &zero, 1);
}

void der_end(der_writer *w)
{
	uint8_t lb[5];
	size_t at, clen, n;

	if (w->st != DER_OK)
		return;
	if (w->depth == 0) {
		w->st = DER_E_WRITER_NESTING;
		return;
	}
	at = w->open[--w->depth];
	clen = w->len - at - 1;
	n = len_bytes(clen, lb);
	if (w->buf) {
		if (n > 1) {
			if (w->cap - w->len < n - 1) {
				w->st = DER_E_WRITER_OVERFLOW;
				return;
			}
			memmove(w->buf + at + n, w->buf + at + 1, clen);
		}
		memcpy(w->buf + at, lb, n);
	}
	w->len += n - 1;
}

void der_put_uint_bytes(der_writer *w, const uint8_t *mag, size_t len)
{
	static const uint8_t zero = 0;
	uint8_t hdr[6];
	size_t n;

	while (len > 1 && mag[0] == 0) {
		mag++;
		len--;
	}
	if (len == 0) {
		der_put_tlv(w, DER_INTEGER, &zero, 1);
		return;
	}
	int pad = (mag[0] & 0x80) != 0;
	hdr[0] = 0x02;
	n = 1 + len_bytes(len + (size_t)pad, hdr + 1);
	put_bytes(w, hdr, n);
	if (pad)
		put_bytes(w, &zero, 1);
	put_bytes(w, mag, len);
}

void der_put_uint64(der_writer *w, uint64_t v)
{
	uint8_t b[8];

	for (int i = 7; i >= 0; i--, v >>= 8)
		b[i] = (uint8_t)v;
	der_put_uint_bytes(w, b, 8);
}

void der_put_int64(der_writer *w, int64_t v)
{
	uint8_t b[8];
	uint64_t u;
	size_t i = 0;

	memcpy(&u, &v, sizeof u);
	for (int k = 7; k >= 0; k--, u >>= 8)
		b[k] = (uint8_t)u;
	/* drop redundant sign octets */
	while (i < 7 && ((b[i] == 0x00 && !(b[i + 1] & 0x80)) ||
	                 (b[i] == 0xFF && (b[i + 1] & 0x80))))
		i++;
	der_put_tlv(w, DER_INTEGER, b + i, 8 - i);
}

void der_put_bool(der_writer *w, int v)
{
	uint8_t b = v ? 0xFF : 0x00;

	der_put_tlv(w, DER_BOOLEAN, &b, 1);
}

void der_put_null(der_writer *w)
{
	der_put_tlv(w, DER_NULL, NULL, 0);
}

void der_put_oid(der_writer *w, const uint8_t *oid, size_t len)
{
	der_put_tlv(w, DER_OID, oid, len);
}

void der_put_octets(der_writer *w, const uint8_t *data, size_t len)
{
	der_put_tlv(w, DER_OCTET_STRING, data, len);
}

void der_put_bits(der_writer *w, const uint8_t *data, size_t len, unsigned unused)
{
	uint8_t u = (uint8_t)(len ? unused : 0);

	der_begin(w, DER_BIT_STRING);
	put_bytes(w, &u, 1);
	put_bytes(w, data, len);
	if (w->st == DER_OK && w->buf && len && unused)
		w->buf[w->len - 1] &= (uint8_t)(0xFF << unused);
	der_end(w);
}

void der_put_time(der_writer *w, int64_t epoch)
{
	int64_t y;
	unsigned mo, d, h, mi, s;
	char txt[24];
	int n;

	der_civil_from_epoch(epoch, &y, &mo, &d, &h, &mi, &s);
	if (y >= 1950 && y < 2050) {
		n = snprintf(txt, sizeof txt, "%02u%02u%02u%02u%02u%02uZ",
			(unsigned)(y % 100), mo, d, h, mi, s);
		der_put_tlv(w, DER_UTC_TIME, (const uint8_t *)txt, (size_t)n);
	} else {
		if (y < 0 || y > 9999) {
			w->st = DER_E_TIME_VALUE;
			return;
		}
		n = snprintf(txt, sizeof txt, "%04u%02u%02u%02u%02u%02uZ",
			(unsigned)y, mo, d, h, mi, s);
		der_put_tlv(w, DER_GENERALIZED_TIME, (const uint8_t *)txt, (size_t)n);
	}
}

void der_put_string(der_writer *w, uint32_t tag, const char *s, size_t len)
{
	der_put_tlv(w, tag, (const uint8_t *)s, len);
}

der_status der_writer_finish(der_writer *w, size_t *len)
{
	if (w->st == DER_OK && w->depth != 0)
		w->st = DER_E_WRITER_NESTING;
	*len = w->len;
	return w->st;
}
