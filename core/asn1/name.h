/* core/asn1/name.h - X.501 distinguished names <-> "/CN=../O=../C=.." text.
 *
 * The text form is openssl's -subj form: attributes separated by '/',
 * each TYPE=VALUE, a backslash escapes the next character ("\/" is a
 * slash inside a value). Types: CN, O, OU, C, L, ST, serialNumber,
 * emailAddress. Values are UTF8String, except C and serialNumber
 * (PrintableString, as RFC 5280 requires) and emailAddress (IA5String).
 * One attribute per RDN, in the order given.
 *
 * Names in parsed certificates and CSRs stay as views over the caller's
 * buffer (the whole Name TLV); these functions read them in place.
 */
#ifndef PB_NAME_H
#define PB_NAME_H

#include <stddef.h>
#include <stdint.h>

#include "core/asn1/der.h"
#include "core/base/err.h"

#define PB_NAME_TEXT_MAX 1024   /* longest text accepted or produced */
#define PB_NAME_ATTRS_MAX 16    /* attributes in a name from text */

/* Append the DER Name for text to w. Needs: text like "/CN=x/O=y".
 * Returns 0, or PB_EUSAGE with what is wrong (unknown type, empty or
 * too long value, character not allowed in a PrintableString, ...).
 * Never allocates; on error w may hold a partial encoding. */
int pb_name_write_text(der_writer *w, const char *text, pb_err *e);

/* Same into a buffer: *len = bytes of the Name (out NULL: only count). */
int pb_name_from_text(const char *text, uint8_t *out, size_t cap, size_t *len, pb_err *e);

/* Check that der..len is exactly one well-formed Name (SEQUENCE OF SET
 * OF {OID, value}, string values valid for their type). Returns 0 or
 * PB_EVERIFY. */
int pb_name_check(const uint8_t *der, size_t len, pb_err *e);

/* The text form of a DER Name, NUL-terminated in out: "/C=DE/CN=x";
 * attributes of a multi-valued RDN joined with '+', '/' '\\' '+' escaped
 * with a backslash, control and non-string bytes as \xHH, unknown types
 * as dotted OIDs. An empty Name gives "". Returns 0, PB_EVERIFY if the
 * DER is malformed, PB_EFAIL if cap is too small. */
int pb_name_to_text(const uint8_t *der, size_t len, char *out, size_t cap, pb_err *e);

/* The value of the first attribute of type oid (e.g. OID(OID_AT_CN)):
 * a view into der. Returns 1 if found, 0 if not or if der is malformed. */
int pb_name_find(const uint8_t *der, size_t len, const uint8_t *oid, size_t oid_len,
	const uint8_t **val, size_t *val_len);

#endif
