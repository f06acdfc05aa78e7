/* core/pki/esl.h - UEFI EFI_SIGNATURE_LIST (UEFI spec 32.4.1) and GUIDs.
 *
 * What a UEFI db/KEK update carries: lists of signatures of one type,
 * here EFI_CERT_X509_GUID lists holding DER certificates, each with a
 * SignatureOwner GUID. The encoding is byte-identical to efitools'
 * cert-to-efi-sig-list. Integers are little-endian; GUIDs are in the
 * EFI byte order (first three fields little-endian).
 */
#ifndef PB_ESL_H
#define PB_ESL_H

#include <stddef.h>
#include <stdint.h>

#include "core/base/err.h"

#define PB_GUID_LEN 16
#define PB_ESL_HEADER_LEN 28   /* type GUID + three UINT32 */

extern const uint8_t pb_efi_cert_x509_guid[PB_GUID_LEN];

/* "a5c059a1-94e4-4aa7-87b5-ab155c2bf072" -> EFI byte order. Returns 0
 * or PB_EUSAGE. */
int pb_guid_parse(const char *text, uint8_t guid[PB_GUID_LEN], pb_err *e);
/* Back to text (lower case); out holds 37 bytes. */
void pb_guid_text(const uint8_t guid[PB_GUID_LEN], char out[37]);

/* One EFI_SIGNATURE_LIST of type X509 holding cert (DER) owned by owner.
 * out NULL: only *len is set. Returns 0, or PB_EFAIL if cap is short. */
int pb_esl_encode_x509(const uint8_t *cert, size_t cert_len, const uint8_t owner[PB_GUID_LEN],
	uint8_t *out, size_t cap, size_t *len, pb_err *e);

/* A parsed list: views into the caller's buffer. */
typedef struct pb_esl {
	const uint8_t *type;      /* SignatureType GUID */
	const uint8_t *header;    /* SignatureHeader (header_len bytes) */
	size_t header_len;
	const uint8_t *sigs;      /* first EFI_SIGNATURE_DATA */
	size_t sig_size;          /* each: owner GUID + data */
	size_t count;
} pb_esl;

/* The next list of buf at *pos (start at 0). Returns 1 with l filled and
 * *pos advanced, 0 at the end of buf, or -1 with PB_EVERIFY in e for a
 * malformed list (sizes that do not add up or pass the end). */
int pb_esl_next(const uint8_t *buf, size_t len, size_t *pos, pb_esl *l, pb_err *e);

/* Signature i of a list: its owner GUID and data (a DER certificate for
 * X509 lists). */
void pb_esl_sig(const pb_esl *l, size_t i, const uint8_t **owner, const uint8_t **data, size_t *len);

#endif
