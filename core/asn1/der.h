/* core/asn1/der.h - strict DER reader and writer.
 *
 * The reader is a cursor over the caller's buffer: it never copies and
 * never allocates. Every read checks bounds first; nesting is tracked so
 * that a hostile input cannot recurse deeper than DER_MAX_DEPTH. It is
 * strict DER (X.690 section 10): definite lengths only, minimal length
 * and tag encodings, minimal INTEGERs, canonical BOOLEANs and BIT STRING
 * padding, and no trailing bytes where a structure must end.
 *
 * The writer appends to a caller buffer; with a NULL buffer it only
 * counts, so one can size an encoding before writing it.
 */
#ifndef PB_DER_H
#define PB_DER_H

#include <stddef.h>
#include <stdint.h>

#include "core/base/err.h"

#define DER_MAX_DEPTH 32

/* A tag is the identifier octet's class+constructed bits in the top byte
 * and the tag number below, so high-numbered tags fit too. */
#define DER_TAG(bits, num)  ((((uint32_t)(bits) & 0xE0u) << 24) | (uint32_t)(num))
#define DER_TAG_NUMBER(t)   ((t) & 0x00FFFFFFu)
#define DER_TAG_CONSTRUCTED(t) (((t) >> 24) & 0x20u)

#define DER_BOOLEAN      DER_TAG(0x00, 1)
#define DER_INTEGER      DER_TAG(0x00, 2)
#define DER_BIT_STRING   DER_TAG(0x00, 3)
#define DER_OCTET_STRING DER_TAG(0x00, 4)
#define DER_NULL         DER_TAG(0x00, 5)
#define DER_OID          DER_TAG(0x00, 6)
#define DER_UTF8_STRING  DER_TAG(0x00, 12)
#define DER_PRINTABLE_STRING DER_TAG(0x00, 19)
#define DER_T61_STRING   DER_TAG(0x00, 20)
#define DER_IA5_STRING   DER_TAG(0x00, 22)
#define DER_UTC_TIME     DER_TAG(0x00, 23)
#define DER_GENERALIZED_TIME DER_TAG(0x00, 24)
#define DER_BMP_STRING   DER_TAG(0x00, 30)
#define DER_SEQUENCE     DER_TAG(0x20, 16)
#define DER_SET          DER_TAG(0x20, 17)
#define DER_CTX(n)       DER_TAG(0xA0, (n))  /* [n] constructed (EXPLICIT) */
#define DER_CTX_PRIM(n)  DER_TAG(0x80, (n))  /* [n] primitive (IMPLICIT) */

/* Every way a DER input can be rejected, each with its own code so that
 * tests and error messages can say exactly what was wrong. */
typedef enum der_status {
	DER_OK = 0,
	DER_E_TRUNCATED_HEADER,   /* input ends inside a tag or length */
	DER_E_TRUNCATED_VALUE,    /* length says more bytes than there are */
	DER_E_INDEFINITE_LENGTH,  /* 0x80 length: BER only */
	DER_E_NONMINIMAL_LENGTH,  /* long form where short fits, or leading 0 */
	DER_E_LENGTH_TOO_LONG,    /* more than 4 length octets, or 0xFF */
	DER_E_TAG_NONMINIMAL,     /* high-tag form for a number < 31, or 0x80 pad */
	DER_E_TAG_TOO_BIG,        /* tag number beyond 2^21 */
	DER_E_TRAILING_DATA,      /* bytes left after a complete structure */
	DER_E_UNEXPECTED_TAG,     /* a different element than the one expected */
	DER_E_DEPTH,              /* nesting beyond DER_MAX_DEPTH */
	DER_E_NOT_CONSTRUCTED,    /* SEQUENCE/SET/[n] encoded primitive */
	DER_E_NOT_PRIMITIVE,      /* INTEGER/OCTET STRING/... encoded constructed */
	DER_E_INT_EMPTY,          /* INTEGER of length 0 */
	DER_E_INT_NONMINIMAL,     /* leading 0x00 or 0xFF that is not needed */
	DER_E_INT_NEGATIVE,       /* negative where only unsigned makes sense */
	DER_E_INT_OVERFLOW,       /* does not fit the destination */
	DER_E_BOOL_LENGTH,        /* BOOLEAN not exactly one octet */
	DER_E_BOOL_VALUE,         /* BOOLEAN other than 0x00 / 0xFF */
	DER_E_NULL_LENGTH,        /* NULL with content */
	DER_E_OID_EMPTY,          /* OBJECT IDENTIFIER of length 0 */
	DER_E_OID_NONMINIMAL,     /* sub-identifier starting with 0x80 */
	DER_E_OID_TRUNCATED,      /* last octet has its continuation bit set */
	DER_E_OID_TOO_LONG,       /* sub-identifier beyond 32 bits / too many arcs */
	DER_E_BITSTRING_EMPTY,    /* BIT STRING without its unused-bits octet */
	DER_E_BITSTRING_UNUSED,   /* unused-bits count > 7, or > 0 with no data */
	DER_E_BITSTRING_PADDING,  /* unused bits not zero */
	DER_E_TIME_FORMAT,        /* UTCTime/GeneralizedTime not in DER form */
	DER_E_TIME_VALUE,         /* month 13, hour 25, Feb 30, ... */
	DER_E_STRING_CHARSET,     /* character not allowed in that string type */
	DER_E_STRING_UTF8,        /* invalid or overlong UTF-8 */
	DER_E_WRITER_OVERFLOW,    /* writer: the output buffer is too small */
	DER_E_WRITER_NESTING,     /* writer: begin/end not balanced */
	DER_STATUS_COUNT
} der_status;

/* A short text for a status: "non-minimal length encoding". */
const char *der_strerror(der_status st);

/* A view of one element: its tag, its value bytes in the caller's buffer,
 * and the whole encoding (header + value), e.g. for signing TBS data. */
typedef struct der_tlv {
	uint32_t tag;
	const uint8_t *val;
	size_t len;
	const uint8_t *raw;
	size_t raw_len;
} der_tlv;

typedef struct der_cursor {
	const uint8_t *p;
	size_t len;        /* bytes in this cursor's window */
	size_t pos;        /* next unread byte */
	unsigned depth;    /* nesting level of this window */
} der_cursor;

void der_cursor_init(der_cursor *c, const uint8_t *buf, size_t len);

/* Bytes left in the window. */
static inline size_t der_remaining(const der_cursor *c) { return c->len - c->pos; }

/* Read the next element, whatever it is. */
der_status der_next(der_cursor *c, der_tlv *t);

/* Tag of the next element without consuming it; DER_E_TRUNCATED_HEADER at end. */
der_status der_peek(const der_cursor *c, uint32_t *tag);

/* Read the next element and require its tag (constructed-ness included). */
der_status der_expect(der_cursor *c, uint32_t tag, der_tlv *t);

/* If the next element has this tag, read it and set *present = 1. */
der_status der_optional(der_cursor *c, uint32_t tag, der_tlv *t, int *present);

/* Read a constructed element of this tag and open a cursor on its value,
 * one level deeper. */
der_status der_enter(der_cursor *c, uint32_t tag, der_cursor *inner);

/* Open a cursor on an already-read constructed element. */
der_status der_enter_tlv(const der_cursor *c, const der_tlv *t, der_cursor *inner);

/* The window must be fully consumed. */
der_status der_finish(const der_cursor *c);

/* Parse a buffer that must hold exactly one element of this tag. */
der_status der_parse_single(const uint8_t *buf, size_t len, uint32_t tag, der_tlv *t);

/* --- value decoders (take a tlv already read, check its content) --- */

/* INTEGER that must be >= 0 and fit in a uint64_t. */
der_status der_get_uint64(const der_tlv *t, uint64_t *v);
/* INTEGER of any sign that fits in an int64_t. */
der_status der_get_int64(const der_tlv *t, int64_t *v);
/* Non-negative INTEGER as a big-endian magnitude view (leading 0 dropped). */
der_status der_get_uint_bytes(const der_tlv *t, const uint8_t **mag, size_t *len);
der_status der_get_bool(const der_tlv *t, int *v);
der_status der_get_null(const der_tlv *t);
/* Checks the encoding of every arc; the view is the raw content octets. */
der_status der_get_oid(const der_tlv *t);
/* BIT STRING: the data octets and the number of unused bits in the last. */
der_status der_get_bits(const der_tlv *t, const uint8_t **bits, size_t *len, unsigned *unused);
/* UTCTime (RFC 5280: YYMMDDHHMMSSZ, 1950..2049) or GeneralizedTime
 * (YYYYMMDDHHMMSSZ), to seconds since the epoch. */
der_status der_get_time(const der_tlv *t, int64_t *epoch);
/* A string type's content is checked against its charset (Printable,
 * IA5, UTF8; T61 and BMP are only length-checked). */
der_status der_get_string(const der_tlv *t);

/* Compare an OID element's content with the expected encoded bytes. */
int der_oid_eq(const der_tlv *t, const uint8_t *oid, size_t oid_len);

/* Dotted text of an OID element ("1.2.840.10045.2.1") into buf. */
der_status der_oid_to_text(const der_tlv *t, char *buf, size_t cap);

/* --- writer --- */

typedef struct der_writer {
	uint8_t *buf;      /* NULL: count only */
	size_t cap;
	size_t len;
	der_status st;     /* first error, sticky */
	size_t open[DER_MAX_DEPTH];  /* offsets of open constructed elements */
	unsigned depth;
} der_writer;

void der_writer_init(der_writer *w, uint8_t *buf, size_t cap);

/* Start / finish a constructed element (SEQUENCE, SET, [n], or an
 * OCTET STRING / BIT STRING that wraps a DER structure). */
void der_begin(der_writer *w, uint32_t tag);
void der_end(der_writer *w);
/* BIT STRING wrapping DER: begin writes the 0 unused-bits octet. */
void der_begin_bits(der_writer *w);

void der_put_tlv(der_writer *w, uint32_t tag, const uint8_t *val, size_t len);
/* Bytes that are already a complete DER encoding. */
void der_put_raw(der_writer *w, const uint8_t *der, size_t len);
void der_put_uint64(der_writer *w, uint64_t v);
void der_put_int64(der_writer *w, int64_t v);
/* Non-negative big-endian magnitude: leading zeros stripped, 0x00 added
 * when the top bit is set. */
void der_put_uint_bytes(der_writer *w, const uint8_t *mag, size_t len);
void der_put_bool(der_writer *w, int v);
void der_put_null(der_writer *w);
/* oid: the encoded content octets (see core/oid.h). */
void der_put_oid(der_writer *w, const uint8_t *oid, size_t len);
void der_put_octets(der_writer *w, const uint8_t *data, size_t len);
void der_put_bits(der_writer *w, const uint8_t *data, size_t len, unsigned unused);
/* UTCTime for 1950..2049, GeneralizedTime otherwise (RFC 5280 4.1.2.5). */
void der_put_time(der_writer *w, int64_t epoch);
void der_put_string(der_writer *w, uint32_t tag, const char *s, size_t len);

/* Check the writer ended balanced and without error; *len = bytes. */
der_status der_writer_finish(der_writer *w, size_t *len);

/* Map a DER status to a pb_err: "WHAT: DER: text at offset N". */
int der_fail(pb_err *e, int code, der_status st, const char *what);

/* --- calendar helpers (UTC, proleptic Gregorian, no libc TZ) --- */
int64_t der_days_from_civil(int64_t y, unsigned m, unsigned d);
void der_civil_from_epoch(int64_t epoch, int64_t *y, unsigned *mo, unsigned *d,
	unsigned *h, unsigned *mi, unsigned *s);

#endif
