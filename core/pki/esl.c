/* core/pki/esl.c - EFI signature lists; see esl.h. */
#include "core/pki/esl.h"

#include <stdio.h>
#include <string.h>

/* a5c059a1-94e4-4aa7-87b5-ab155c2bf072 */
const uint8_t pb_efi_cert_x509_guid[PB_GUID_LEN] = {
	0xa1, 0x59, 0xc0, 0xa5, 0xe4, 0x94, 0xa7, 0x4a, 0x87, 0xb5, 0xab, 0x15, 0x5c, 0x2b, 0xf0, 0x72
};

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Text byte i (in reading order) goes to EFI position order[i]. */
static const uint8_t efi_order[PB_GUID_LEN] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};

int pb_guid_parse(const char *text, uint8_t guid[PB_GUID_LEN], pb_err *e)
{
	size_t k = 0;

	if (strlen(text) != 36)
		return pb_fail(e, PB_EUSAGE, "GUID '%s': expected 8-4-4-4-12 hex digits", text);
	for (size_t i = 0; i < 36;) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (text[i++] != '-')
				return pb_fail(e, PB_EUSAGE, "GUID '%s': expected 8-4-4-4-12 hex digits", text);
			continue;
		}
		int hi = hexval(text[i]), lo = hexval(text[i + 1]);
		if (hi < 0 || lo < 0)
			return pb_fail(e, PB_EUSAGE, "GUID '%s': expected 8-4-4-4-12 hex digits", text);
		guid[efi_order[k++]] = (uint8_t)(hi << 4 | lo);
		i += 2;
	}
	return 0;
}

void pb_guid_text(const uint8_t guid[PB_GUID_LEN], char out[37])
{
	size_t o = 0;

	for (size_t k = 0; k < PB_GUID_LEN; k++) {
		if (k == 4 || k == 6 || k == 8 || k == 10)
			out[o++] = '-';
		snprintf(out + o, 3, "%02x", guid[efi_order[k]]);
		o += 2;
	}
	out[o] = '\0';
}

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int pb_esl_encode_x509(const uint8_t *cert, size_t cert_len, const uint8_t owner[PB_GUID_LEN],
	uint8_t *out, size_t cap, size_t *len, pb_err *e)
{
	size_t total = PB_ESL_HEADER_LEN + PB_GUID_LEN + cert_len;

	if (cert_len == 0 || total > UINT32_MAX)
		return pb_fail(e, PB_EFAIL, "signature list: bad certificate size");
	*len = total;
	if (out == NULL)
		return 0;
	if (cap < total)
		return pb_fail(e, PB_EFAIL, "signature list: buffer too small");
	memcpy(out, pb_efi_cert_x509_guid, PB_GUID_LEN);
	put_le32(out + 16, (uint32_t)total);                         /* SignatureListSize */
	put_le32(out + 20, 0);                                       /* SignatureHeaderSize */
	put_le32(out + 24, (uint32_t)(PB_GUID_LEN + cert_len));      /* SignatureSize */
	memcpy(out + PB_ESL_HEADER_LEN, owner, PB_GUID_LEN);
	memcpy(out + PB_ESL_HEADER_LEN + PB_GUID_LEN, cert, cert_len);
	return 0;
}

int pb_esl_next(const uint8_t *buf, size_t len, size_t *pos, pb_esl *l, pb_err *e)
{
	const uint8_t *p = buf + *pos;
	size_t left = len - *pos, list, hdr, sig, body;

	if (*pos >= len)
		return 0;
	if (left < PB_ESL_HEADER_LEN) {
		pb_fail(e, PB_EVERIFY, "signature list at %zu: truncated header", *pos);
		return -1;
	}
	list = get_le32(p + 16);
	hdr = get_le32(p + 20);
	sig = get_le32(p + 24);
	/* header and signatures must fill the list exactly */
	if (list > left || list < PB_ESL_HEADER_LEN || hdr > list - PB_ESL_HEADER_LEN ||
	    sig <= PB_GUID_LEN || (body = list - PB_ESL_HEADER_LEN - hdr) % sig != 0) {
		pb_fail(e, PB_EVERIFY, "signature list at %zu: sizes do not add up", *pos);
		return -1;
	}
	l->type = p;
	l->header = p + PB_ESL_HEADER_LEN;
	l->header_len = hdr;
	l->sigs = p + PB_ESL_HEADER_LEN + hdr;
	l->sig_size = sig;
	l->count = body / sig;
	*pos += list;
	return 1;
}

void pb_esl_sig(const pb_esl *l, size_t i, const uint8_t **owner, const uint8_t **data, size_t *len)
{
	const uint8_t *s = l->sigs + i * l->sig_size;

	*owner = s;
	*data = s + PB_GUID_LEN;
	*len = l->sig_size - PB_GUID_LEN;
}
