/* core/pki/x509_print.c - human-readable summaries of certificates and CSRs.
 * They print to the FILE given and never print errors: what cannot be
 * shown prints as "?". */
#include <string.h>

#include "core/base/json.h"
#include "core/pki/csr.h"
#include "core/asn1/name.h"
#include "core/pki/x509.h"

static const char *const ku_names[] = {
	"digitalSignature", "nonRepudiation", "keyEncipherment", "dataEncipherment",
	"keyAgreement", "keyCertSign", "cRLSign", "encipherOnly", "decipherOnly"
};
static const char *const eku_names[] = {"serverAuth", "clientAuth", "codeSigning", "any", "other"};

static const char *bits_text(unsigned bits, const char *const *names, size_t n, char *buf, size_t cap)
{
	size_t used = 0;

	if (cap == 0)
		return "";
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (!(bits & (1u << i)))
			continue;
		int k = snprintf(buf + used, cap - used, "%s%s", used ? ", " : "", names[i]);
		if (k < 0 || (size_t)k >= cap - used)
			break;
		used += (size_t)k;
	}
	return buf;
}

const char *pb_ku_text(unsigned ku, char *buf, size_t cap)
{
	return bits_text(ku, ku_names, sizeof ku_names / sizeof ku_names[0], buf, cap);
}

const char *pb_eku_text(unsigned eku, char *buf, size_t cap)
{
	return bits_text(eku, eku_names, sizeof eku_names / sizeof eku_names[0], buf, cap);
}

const char *pb_time_text(int64_t t, char *buf, size_t cap)
{
	int64_t y;
	unsigned mo, d, h, mi, s;

	der_civil_from_epoch(t, &y, &mo, &d, &h, &mi, &s);
	snprintf(buf, cap, "%04lld-%02u-%02u %02u:%02u:%02u UTC", (long long)y, mo, d, h, mi, s);
	return buf;
}

static void print_hex(FILE *f, const char *label, const uint8_t *p, size_t n, const char *sep)
{
	fprintf(f, "%s: ", label);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s%02x", i ? sep : "", p[i]);
	fputc('\n', f);
}

static void print_name(FILE *f, const char *label, const uint8_t *der, size_t len)
{
	char text[PB_NAME_TEXT_MAX];
	pb_err e;

	fprintf(f, "%s: %s\n", label, pb_name_to_text(der, len, text, sizeof text, &e) == 0 ? text : "?");
}

static void print_san(FILE *f, const uint8_t *san, size_t len)
{
	static const char *const kinds[] = {[PB_GN_EMAIL] = "email", [PB_GN_DNS] = "DNS", [PB_GN_URI] = "URI"};
	pb_general_name gn;
	size_t pos = 0;
	int first = 1;

	fputs("subjectAltName: ", f);
	while (pb_x509_san_next(san, len, &pos, &gn)) {
		fputs(first ? "" : ", ", f);
		first = 0;
		if (gn.type == PB_GN_EMAIL || gn.type == PB_GN_DNS || gn.type == PB_GN_URI)
			fprintf(f, "%s:%.*s", kinds[gn.type], (int)gn.len, (const char *)gn.val);
		else if (gn.type == PB_GN_IP && gn.len == 4)
			fprintf(f, "IP:%u.%u.%u.%u", gn.val[0], gn.val[1], gn.val[2], gn.val[3]);
		else
			fprintf(f, "[%u]", gn.type);
	}
	fputc('\n', f);
}

static const char *sig_name(int is_ec, pb_hash h)
{
	if (is_ec)
		return h == PB_HASH_SHA384 ? "ecdsa-with-SHA384" : "ecdsa-with-SHA256";
	return h == PB_HASH_SHA384 ? "sha384WithRSAEncryption" : "sha256WithRSAEncryption";
}

static const char *crit(const pb_x509 *c, unsigned bit)
{
	return (c->critical & bit) ? " (critical)" : "";
}

void pb_x509_print(FILE *f, const pb_x509 *c)
{
	char buf[256], b2[64];
	uint8_t fp[32];

	print_name(f, "subject", c->subject, c->subject_len);
	print_name(f, "issuer", c->issuer, c->issuer_len);
	print_hex(f, "serial", c->serial, c->serial_len, "");
	fprintf(f, "valid: %s .. %s\n", pb_time_text(c->not_before, buf, sizeof buf),
		pb_time_text(c->not_after, b2, sizeof b2));
	fprintf(f, "key: %s\n", pb_alg_name(c->pub.alg));
	fprintf(f, "signature: %s\n", sig_name(c->sig_is_ec, c->sig_hash));
	pb_x509_fingerprint(c, fp);
	print_hex(f, "sha256", fp, sizeof fp, "");
	if (c->has & PB_X509_HAS_BC) {
		if (c->is_ca && c->pathlen >= 0)
			fprintf(f, "basicConstraints: CA, pathlen %d%s\n", c->pathlen, crit(c, PB_X509_HAS_BC));
		else
			fprintf(f, "basicConstraints: %s%s\n", c->is_ca ? "CA" : "not a CA", crit(c, PB_X509_HAS_BC));
	}
	if (c->has & PB_X509_HAS_KU)
		fprintf(f, "keyUsage: %s%s\n", pb_ku_text(c->key_usage, buf, sizeof buf), crit(c, PB_X509_HAS_KU));
	if (c->has & PB_X509_HAS_EKU)
		fprintf(f, "extendedKeyUsage: %s%s\n", pb_eku_text(c->ext_key_usage, buf, sizeof buf),
			crit(c, PB_X509_HAS_EKU));
	if (c->ski)
		print_hex(f, "subjectKeyIdentifier", c->ski, c->ski_len, ":");
	if (c->aki)
		print_hex(f, "authorityKeyIdentifier", c->aki, c->aki_len, ":");
	if (c->san)
		print_san(f, c->san, c->san_len);
}

void pb_csr_print(FILE *f, const pb_csr *c)
{
	uint8_t id[20];

	print_name(f, "subject", c->subject, c->subject_len);
	fprintf(f, "key: %s\n", pb_alg_name(c->pub.alg));
	fprintf(f, "signature: %s\n", sig_name(c->sig_is_ec, c->sig_hash));
	pb_pubkey_key_id(&c->pub, id);
	print_hex(f, "keyIdentifier", id, sizeof id, ":");
	if (c->san)
		print_san(f, c->san, c->san_len);
}

/* One subjectAltName entry as print_san shows it, for JSON. */
static void san_text(const pb_general_name *gn, char *buf, size_t cap)
{
	static const char *const kinds[] = {[PB_GN_EMAIL] = "email", [PB_GN_DNS] = "DNS", [PB_GN_URI] = "URI"};

	if (gn->type == PB_GN_EMAIL || gn->type == PB_GN_DNS || gn->type == PB_GN_URI)
		snprintf(buf, cap, "%s:%.*s", kinds[gn->type], (int)gn->len, (const char *)gn->val);
	else if (gn->type == PB_GN_IP && gn->len == 4)
		snprintf(buf, cap, "IP:%u.%u.%u.%u", gn->val[0], gn->val[1], gn->val[2], gn->val[3]);
	else
		snprintf(buf, cap, "[%u]", gn->type);
}

void pb_csr_print_json(FILE *f, const pb_csr *c)
{
	char text[PB_NAME_TEXT_MAX], hex[3 * 20];
	uint8_t id[20];
	pb_general_name gn;
	size_t pos = 0;
	pb_err e;

	fputs("{", f);
	pb_json_kv(f, 1, "subject", pb_name_to_text(c->subject, c->subject_len, text, sizeof text, &e) == 0 ?
		text : "?");
	pb_json_kv(f, 0, "key", pb_alg_name(c->pub.alg));
	pb_json_kv(f, 0, "signature", sig_name(c->sig_is_ec, c->sig_hash));
	pb_pubkey_key_id(&c->pub, id);
	hex[0] = '\0';
	for (size_t i = 0, n = 0; i < sizeof id; i++)
		n += (size_t)snprintf(hex + n, sizeof hex - n, "%s%02x", i ? ":" : "", id[i]);
	pb_json_kv(f, 0, "key_identifier", hex);
	fputs(", \"subject_alt_names\": [", f);
	for (int first = 1; c->san && pb_x509_san_next(c->san, c->san_len, &pos, &gn); first = 0) {
		san_text(&gn, text, sizeof text);
		fputs(first ? "" : ", ", f);
		pb_json_str(f, text);
	}
	fputs("]}\n", f);
}
