/* core/asn1/name.c - distinguished names; see name.h. */
#include "core/asn1/name.h"

#include <stdio.h>
#include <string.h>

#include "core/asn1/oid.h"

typedef struct name_type {
	const char *label;
	const uint8_t *oid;
	size_t oid_len;
	uint32_t tag;        /* string type written */
	size_t max;          /* upper bound from RFC 5280 appendix A */
} name_type;

static const name_type types[] = {
	{"CN", OID(OID_AT_CN), DER_UTF8_STRING, 64},
	{"O", OID(OID_AT_O), DER_UTF8_STRING, 64},
	{"OU", OID(OID_AT_OU), DER_UTF8_STRING, 64},
	{"C", OID(OID_AT_C), DER_PRINTABLE_STRING, 2},
	{"L", OID(OID_AT_L), DER_UTF8_STRING, 128},
	{"ST", OID(OID_AT_ST), DER_UTF8_STRING, 128},
	{"serialNumber", OID(OID_AT_SERIAL), DER_PRINTABLE_STRING, 64},
	{"emailAddress", OID(OID_AT_EMAIL), DER_IA5_STRING, 255},
};
#define NTYPES (sizeof types / sizeof types[0])

static const name_type *type_by_label(const char *s, size_t n)
{
	for (size_t i = 0; i < NTYPES; i++)
		if (strlen(types[i].label) == n && memcmp(types[i].label, s, n) == 0)
			return &types[i];
	return NULL;
}

static const name_type *type_by_oid(const der_tlv *oid)
{
	for (size_t i = 0; i < NTYPES; i++)
		if (der_oid_eq(oid, types[i].oid, types[i].oid_len))
			return &types[i];
	return NULL;
}

/* Unescape one value from *p up to an unescaped '/' or the end. */
static int take_value(const char **p, char *val, size_t cap, size_t *len)
{
	size_t n = 0;

	for (const char *s = *p; ; s++) {
		if (*s == '\0' || *s == '/') {
			*p = s;
			*len = n;
			return 0;
		}
		if (*s == '\\' && s[1] != '\0')
			s++;
		if (n >= cap)
			return -1;
		val[n++] = *s;
	}
}

static int write_attr(der_writer *w, const name_type *t, const char *v, size_t n, pb_err *e)
{
	der_tlv chk = {.tag = t->tag, .val = (const uint8_t *)v, .len = n};

	if (n == 0)
		return pb_fail(e, PB_EUSAGE, "subject: %s is empty", t->label);
	if (n > t->max || (t->tag == DER_PRINTABLE_STRING && t->max == 2 && n != 2))
		return pb_fail(e, PB_EUSAGE, "subject: %s must be %s%zu characters", t->label,
			t->max == 2 ? "" : "at most ", t->max);
	if (der_get_string(&chk) != DER_OK)
		return pb_fail(e, PB_EUSAGE, "subject: %s '%.*s': character not allowed in a %s",
			t->label, (int)n, v, t->tag == DER_PRINTABLE_STRING ? "PrintableString" :
			t->tag == DER_IA5_STRING ? "IA5String" : "UTF8String");
	der_begin(w, DER_SET);
	der_begin(w, DER_SEQUENCE);
	der_put_oid(w, t->oid, t->oid_len);
	der_put_string(w, t->tag, v, n);
	der_end(w);
	der_end(w);
	return 0;
}

int pb_name_write_text(der_writer *w, const char *text, pb_err *e)
{
	char val[256];
	const char *p = text;
	int count = 0;

	if (strlen(text) > PB_NAME_TEXT_MAX)
		return pb_fail(e, PB_EUSAGE, "subject: longer than %d characters", PB_NAME_TEXT_MAX);
	if (*p != '/')
		return pb_fail(e, PB_EUSAGE, "subject '%s': expected /TYPE=VALUE/...", text);
	der_begin(w, DER_SEQUENCE);
	while (*p == '/') {
		const char *eq = strchr(++p, '=');
		const name_type *t;
		size_t n;

		if (eq == NULL || (t = type_by_label(p, (size_t)(eq - p))) == NULL)
			return pb_fail(e, PB_EUSAGE, "subject '%s': unknown attribute type near '%.16s'"
				" (CN, O, OU, C, L, ST, serialNumber, emailAddress)", text, p);
		p = eq + 1;
		if (take_value(&p, val, sizeof val, &n) != 0)
			return pb_fail(e, PB_EUSAGE, "subject: %s value too long", t->label);
		if (++count > PB_NAME_ATTRS_MAX)
			return pb_fail(e, PB_EUSAGE, "subject: more than %d attributes", PB_NAME_ATTRS_MAX);
		if (write_attr(w, t, val, n, e) != 0)
			return e->code;
	}
	der_end(w);
	return 0;
}

int pb_name_from_text(const char *text, uint8_t *out, size_t cap, size_t *len, pb_err *e)
{
	der_writer w;
	der_status st;

	der_writer_init(&w, out, cap);
	if (pb_name_write_text(&w, text, e) != 0)
		return e->code;
	if ((st = der_writer_finish(&w, len)) != DER_OK)
		return pb_fail(e, PB_EFAIL, "subject: %s", der_strerror(st));
	return 0;
}

/* ------------------------------------------------------------------ */
/* reading */

/* Walk a Name; fn is called for each attribute (rdn_first: first of its
 * RDN) and may stop the walk by returning non-zero. */
typedef int (*attr_fn)(void *ctx, const der_tlv *oid, const der_tlv *val, int rdn_first);

static der_status walk(const uint8_t *der, size_t len, attr_fn fn, void *ctx, int *stopped)
{
	der_cursor c, name, set, atv;
	der_tlv oid, val;
	der_status st;

	*stopped = 0;
	der_cursor_init(&c, der, len);
	if ((st = der_enter(&c, DER_SEQUENCE, &name)) != DER_OK || (st = der_finish(&c)) != DER_OK)
		return st;
	while (der_remaining(&name)) {
		if ((st = der_enter(&name, DER_SET, &set)) != DER_OK)
			return st;
		if (der_remaining(&set) == 0)
			return DER_E_UNEXPECTED_TAG;   /* an RDN has at least one attribute */
		for (int first = 1; der_remaining(&set); first = 0) {
			if ((st = der_enter(&set, DER_SEQUENCE, &atv)) != DER_OK ||
			    (st = der_expect(&atv, DER_OID, &oid)) != DER_OK ||
			    (st = der_get_oid(&oid)) != DER_OK ||
			    (st = der_next(&atv, &val)) != DER_OK ||
			    (st = der_finish(&atv)) != DER_OK)
				return st;
			/* a value that claims a string type must be one */
			st = der_get_string(&val);
			if (st != DER_OK && st != DER_E_UNEXPECTED_TAG)
				return st;
			if (fn && fn(ctx, &oid, &val, first) != 0) {
				*stopped = 1;
				return DER_OK;
			}
		}
	}
	return DER_OK;
}

int pb_name_check(const uint8_t *der, size_t len, pb_err *e)
{
	int stopped;
	der_status st = walk(der, len, NULL, NULL, &stopped);

	return st == DER_OK ? 0 : der_fail(e, PB_EVERIFY, st, "name");
}

typedef struct text_out {
	char *buf;
	size_t cap, n;
	int overflow;
} text_out;

static void out_str(text_out *o, const char *s, size_t n)
{
	if (o->n + n >= o->cap) {
		o->overflow = 1;
		return;
	}
	memcpy(o->buf + o->n, s, n);
	o->n += n;
	o->buf[o->n] = '\0';
}

static void out_byte(text_out *o, uint8_t b, int is_string)
{
	char hex[5];

	if (is_string && (b >= 0x80 || (b >= 0x20 && b != 0x7F))) {
		if (b == '/' || b == '\\' || b == '+')
			out_str(o, "\\", 1);
		out_str(o, (const char *)&b, 1);
		return;
	}
	snprintf(hex, sizeof hex, "\\x%02X", b);
	out_str(o, hex, 4);
}

static int text_attr(void *ctx, const der_tlv *oid, const der_tlv *val, int rdn_first)
{
	text_out *o = ctx;
	const name_type *t = type_by_oid(oid);
	char dotted[128];
	/* UTF-8 passes through; other string types are shown byte by byte */
	int is_string = val->tag == DER_UTF8_STRING || val->tag == DER_PRINTABLE_STRING ||
	                val->tag == DER_IA5_STRING;
	const uint8_t *v = is_string ? val->val : val->raw;
	size_t n = is_string ? val->len : val->raw_len;

	if (t == NULL && der_oid_to_text(oid, dotted, sizeof dotted) != DER_OK)
		strcpy(dotted, "?");
	out_str(o, rdn_first ? "/" : "+", 1);
	out_str(o, t ? t->label : dotted, strlen(t ? t->label : dotted));
	out_str(o, "=", 1);
	for (size_t i = 0; i < n; i++)
		out_byte(o, v[i], is_string);
	return 0;
}

int pb_name_to_text(const uint8_t *der, size_t len, char *out, size_t cap, pb_err *e)
{
	text_out o = {out, cap, 0, 0};
	int stopped;
	der_status st;

	if (cap == 0)
		return pb_fail(e, PB_EFAIL, "name: no room for text");
	out[0] = '\0';
	if ((st = walk(der, len, text_attr, &o, &stopped)) != DER_OK)
		return der_fail(e, PB_EVERIFY, st, "name");
	if (o.overflow)
		return pb_fail(e, PB_EFAIL, "name: text longer than %zu bytes", cap - 1);
	return 0;
}

typedef struct find_ctx {
	const uint8_t *oid;
	size_t oid_len;
	der_tlv val;
} find_ctx;

static int find_attr(void *ctx, const der_tlv *oid, const der_tlv *val, int rdn_first)
{
	find_ctx *f = ctx;

	(void)rdn_first;
	if (!der_oid_eq(oid, f->oid, f->oid_len))
		return 0;
	f->val = *val;
	return 1;
}

int pb_name_find(const uint8_t *der, size_t len, const uint8_t *oid, size_t oid_len,
	const uint8_t **val, size_t *val_len)
{
	find_ctx f = {oid, oid_len, {0}};
	int stopped;

	if (walk(der, len, find_attr, &f, &stopped) != DER_OK || !stopped)
		return 0;
	*val = f.val.val;
	*val_len = f.val.len;
	return 1;
}
