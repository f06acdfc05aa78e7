/* core/asn1/pem.c - PEM text <-> DER; see pem.h. */
#include "core/asn1/pem.h"

#include <stdio.h>
#include <string.h>

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Find "-----BEGIN LABEL-----" at or after *pos; the label is copied. */
static int find_begin(const char *t, size_t len, size_t *pos, char *label, size_t *body)
{
	static const char begin[] = "-----BEGIN ";
	size_t i = *pos;

	for (; i + sizeof begin - 1 <= len; i++) {
		/* a BEGIN line starts a line */
		if (i > 0 && t[i - 1] != '\n')
			continue;
		if (memcmp(t + i, begin, sizeof begin - 1) != 0)
			continue;
		size_t s = i + sizeof begin - 1, e = s;
		while (e < len && t[e] != '-' && t[e] != '\n')
			e++;
		if (e + 5 > len || memcmp(t + e, "-----", 5) != 0 || e - s >= PEM_LABEL_MAX)
			return -1;
		memcpy(label, t + s, e - s);
		label[e - s] = '\0';
		*body = e + 5;
		*pos = i;
		return 0;
	}
	return 1;
}

int pem_next(const char *text, size_t len, size_t *pos, uint8_t *out, size_t cap,
	pem_block *blk, pb_err *e)
{
	size_t i, n = 0, end_at;
	uint32_t acc = 0;
	int bits = 0, pad = 0, r;
	char endline[PEM_LABEL_MAX + 16];

	r = find_begin(text, len, pos, blk->label, &i);
	if (r == 1)
		return PEM_NONE;
	if (r < 0)
		return pb_fail(e, PB_EVERIFY, "PEM: malformed BEGIN line");
	/* the END line must carry the same label */
	size_t el = (size_t)snprintf(endline, sizeof endline, "-----END %s-----", blk->label);
	for (end_at = i; end_at + el <= len; end_at++)
		if (text[end_at] == '-' && memcmp(text + end_at, endline, el) == 0)
			break;
	if (end_at + el > len)
		return pb_fail(e, PB_EVERIFY, "PEM: no '%s' line", endline);

	/* RFC 1421 headers (Proc-Type, DEK-Info) mean legacy encrypted PEM */
	if (memchr(text + i, ':', end_at - i) != NULL)
		return pb_fail(e, PB_EVERIFY, "PEM: headers (encrypted PEM) are not supported");
	for (; i < end_at; i++) {
		char c = text[i];
		int v;

		if (is_space(c))
			continue;
		if (c == '=') {
			pad++;
			continue;
		}
		if ((v = b64_value(c)) < 0)
			return pb_fail(e, PB_EVERIFY, "PEM: invalid base64 character 0x%02x", (unsigned char)c);
		if (pad)
			return pb_fail(e, PB_EVERIFY, "PEM: data after base64 padding");
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n >= cap)
				return pb_fail(e, PB_EFAIL, "PEM: %s block too large (more than %zu bytes)",
					blk->label, cap);
			out[n++] = (uint8_t)(acc >> bits);
		}
	}
	/* 2 or 4 leftover bits must be zero and matched by padding */
	if ((bits == 0 && pad != 0) || (bits == 2 && pad != 1) || (bits == 4 && pad != 2) ||
	    bits == 6 || (acc & ((1u << bits) - 1)) != 0)
		return pb_fail(e, PB_EVERIFY, "PEM: bad base64 padding");
	if (n == 0)
		return pb_fail(e, PB_EVERIFY, "PEM: empty block");
	blk->der = out;
	blk->len = n;
	*pos = end_at + el;
	return 0;
}

int pem_detect(const uint8_t *buf, size_t len)
{
	size_t pos = 0, body;
	char label[PEM_LABEL_MAX];

	return find_begin((const char *)buf, len, &pos, label, &body) == 0;
}

size_t pem_base64_encode(const uint8_t *in, size_t n, char *out, size_t cap)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;
		size_t k = n - i < 3 ? n - i : 3;

		if (k > 1)
			v |= (uint32_t)in[i + 1] << 8;
		if (k > 2)
			v |= in[i + 2];
		if (o + 4 >= cap)
			return 0;
		out[o++] = b64[v >> 18 & 63];
		out[o++] = b64[v >> 12 & 63];
		out[o++] = k > 1 ? b64[v >> 6 & 63] : '=';
		out[o++] = k > 2 ? b64[v & 63] : '=';
	}
	if (o >= cap)
		return 0;
	out[o] = '\0';
	return o;
}

size_t pem_encoded_size(const char *label, size_t der_len)
{
	size_t b = (der_len + 2) / 3 * 4;

	return 2 * strlen(label) + 32 + b + b / 64 + 2;
}

int pem_encode(const char *label, const uint8_t *der, size_t der_len,
	char *out, size_t cap, size_t *out_len, pb_err *e)
{
	size_t o;
	int n;

	if (cap < pem_encoded_size(label, der_len))
		return pb_fail(e, PB_EFAIL, "PEM: output buffer too small");
	n = snprintf(out, cap, "-----BEGIN %s-----\n", label);
	o = (size_t)n;
	/* 48 input bytes = one 64-column line */
	for (size_t i = 0; i < der_len; i += 48) {
		size_t k = der_len - i < 48 ? der_len - i : 48;
		o += pem_base64_encode(der + i, k, out + o, cap - o);
		out[o++] = '\n';
	}
	n = snprintf(out + o, cap - o, "-----END %s-----\n", label);
	o += (size_t)n;
	*out_len = o;
	return 0;
}
