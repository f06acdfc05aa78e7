/* core/pki/x509.h - X.509 v3 certificates: encoder, parser, printer.
 *
 * BearSSL validates X.509 but cannot write it; this is our own, on the
 * DER reader/writer. The encoder builds a TBSCertificate from a template
 * and has it signed through a pb_signer (a HAL key or a software key),
 * so a CA key can live in any backend. The parser reads every field back
 * into a pb_x509 whose byte fields are views into the caller's buffer
 * (nothing is copied but the public key, which verification needs).
 *
 * Algorithms: EC P-256 / P-384 with ecdsa-with-SHA256 / SHA384, RSA 2048
 * / 3072 (4096 read only) with sha256WithRSAEncryption (or SHA-384).
 */
#ifndef PB_X509_H
#define PB_X509_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/asn1/der.h"
#include "core/base/err.h"
#include "core/crypto/key.h"

#define PB_X509_MAX 32768         /* largest certificate we write or read: room
                                   * for long extensions (20 KB seen) */
#define PB_SERIAL_LEN 16          /* serials we make: 16 random bytes */
#define PB_SERIAL_MAX 20          /* RFC 5280 4.1.2.2 */
#define PB_KEY_ID_MAX 64          /* longest key identifier accepted */

/* keyUsage bits, as 1 << (named bit number of RFC 5280 4.2.1.3) */
#define PB_KU_DIGITAL_SIGNATURE  (1u << 0)
#define PB_KU_NON_REPUDIATION    (1u << 1)
#define PB_KU_KEY_ENCIPHERMENT   (1u << 2)
#define PB_KU_DATA_ENCIPHERMENT  (1u << 3)
#define PB_KU_KEY_AGREEMENT      (1u << 4)
#define PB_KU_KEY_CERT_SIGN      (1u << 5)
#define PB_KU_CRL_SIGN           (1u << 6)
#define PB_KU_ENCIPHER_ONLY      (1u << 7)
#define PB_KU_DECIPHER_ONLY      (1u << 8)

/* extendedKeyUsage purposes we know by name */
#define PB_EKU_SERVER_AUTH   (1u << 0)
#define PB_EKU_CLIENT_AUTH   (1u << 1)
#define PB_EKU_CODE_SIGNING  (1u << 2)
#define PB_EKU_ANY           (1u << 3)   /* anyExtendedKeyUsage */
#define PB_EKU_OTHER         (1u << 4)   /* a purpose not listed above */

/* GeneralName choices (the context tag number) used in subjectAltName */
#define PB_GN_EMAIL 1
#define PB_GN_DNS   2
#define PB_GN_URI   6
#define PB_GN_IP    7

typedef struct pb_general_name {
	unsigned type;           /* PB_GN_*: DNS and URI are what we write */
	const uint8_t *val;      /* IA5String content (or IP octets) */
	size_t len;
} pb_general_name;

#define PB_SAN_MAX 32

/* What goes into a certificate. Byte fields are the caller's; nothing
 * is copied or freed. */
typedef struct pb_cert_tmpl {
	const uint8_t *serial;   /* positive big-endian, 1..20 bytes */
	size_t serial_len;
	const uint8_t *issuer;   /* DER Name (the CA certificate's subject) */
	size_t issuer_len;
	const uint8_t *subject;  /* DER Name */
	size_t subject_len;
	int64_t not_before;      /* seconds since the epoch (UTC) */
	int64_t not_after;
	const pb_pubkey *subject_key;

	/* extensions */
	int is_ca;               /* basicConstraints (always written, critical) */
	int pathlen;             /* CA only: -1 = no limit */
	unsigned key_usage;      /* PB_KU_*, critical; 0 = omitted */
	unsigned ext_key_usage;  /* PB_EKU_SERVER_AUTH|CLIENT_AUTH|CODE_SIGNING; 0 = omitted */
	const uint8_t *aki;      /* authority key id; NULL: SHA-1 key id of the signer's key */
	size_t aki_len;
	const pb_general_name *san;   /* subjectAltName entries (DNS, URI) */
	size_t san_count;
} pb_cert_tmpl;

/* 16 random bytes (getrandom) usable as a serial: top bit clear so the
 * INTEGER is positive, next bit set so it is always 16 bytes long.
 * Safe to call from many threads. */
int pb_x509_random_serial(uint8_t serial[PB_SERIAL_LEN], pb_err *e);

/* Encode and sign a certificate: DER into out, *len its size.
 * Needs: a complete template, a signer (the issuer's key; for a
 * self-signed certificate the subject key's own). The signature
 * algorithm follows the signer (key type and s->hash).
 * Returns 0; PB_EUSAGE for a template that is inconsistent (pathlen on
 * a non-CA, not_after before not_before, bad SAN); PB_EFAIL if out is
 * too small or signing fails (the signer's message kept).
 * Never allocates; out is scratch on failure. */
int pb_x509_encode(const pb_cert_tmpl *t, const pb_signer *s, uint8_t *out, size_t cap,
	size_t *len, pb_err *e);

/* Sign what w holds from offset start on (a TBSCertificate or a CSR's
 * info, just ended) with s and append the signature AlgorithmIdentifier
 * and the signature BIT STRING: the tail certificates and CSRs share.
 * Needs a writer with a buffer. Returns 0, or PB_EFAIL (encoding error,
 * signer's message prefixed with "signing: "). */
int pb_sign_append(der_writer *w, size_t start, const pb_signer *s, pb_err *e);

/* Append a subjectAltName extension value (GeneralNames) to w; shared
 * with the CSR encoder. PB_EUSAGE for an empty list, a type other than
 * DNS/URI/email, or a non-ASCII or empty name. */
int pb_x509_write_general_names(der_writer *w, const pb_general_name *gn, size_t n, pb_err *e);

/* ------------------------------------------------------------------ */
/* parsing */

typedef struct pb_x509 {
	const uint8_t *der;      /* the whole certificate */
	size_t der_len;
	const uint8_t *tbs;      /* TBSCertificate TLV: what the signature covers */
	size_t tbs_len;
	unsigned version;        /* 1, 2 or 3 */
	const uint8_t *serial;   /* magnitude, leading zero dropped */
	size_t serial_len;
	const uint8_t *issuer;   /* Name TLV */
	size_t issuer_len;
	const uint8_t *subject;  /* Name TLV */
	size_t subject_len;
	int64_t not_before, not_after;
	const uint8_t *spki;     /* SubjectPublicKeyInfo TLV */
	size_t spki_len;
	pb_pubkey pub;           /* parsed (a copy: verification needs it) */
	int sig_is_ec;           /* signature algorithm: family and hash */
	pb_hash sig_hash;
	const uint8_t *sig;      /* signature value (BIT STRING content) */
	size_t sig_len;

	/* extensions: which are present (PB_X509_HAS_*) and their values */
	unsigned has;
	int is_ca;
	int pathlen;             /* -1: no limit given */
	unsigned key_usage;      /* PB_KU_* */
	unsigned ext_key_usage;  /* PB_EKU_* */
	unsigned critical;       /* PB_X509_HAS_* bits of critical extensions */
	const uint8_t *ski;      /* subjectKeyIdentifier */
	size_t ski_len;
	const uint8_t *aki;      /* authorityKeyIdentifier keyIdentifier */
	size_t aki_len;
	const uint8_t *san;      /* GeneralNames content; walk with pb_x509_san_next */
	size_t san_len;
	int unknown_critical;    /* a critical extension we do not know: do not trust */
} pb_x509;

#define PB_X509_HAS_BC   (1u << 0)
#define PB_X509_HAS_KU   (1u << 1)
#define PB_X509_HAS_EKU  (1u << 2)
#define PB_X509_HAS_SKI  (1u << 3)
#define PB_X509_HAS_AKI  (1u << 4)
#define PB_X509_HAS_SAN  (1u << 5)

/* Parse one DER certificate (no trailing bytes). Every field is checked
 * (strict DER, known algorithms, well-formed names, times, extensions,
 * no duplicate extension). The signature is NOT verified here.
 * Returns 0 or PB_EVERIFY with what and why. Never allocates; c's views
 * point into der, which must outlive c. */
int pb_x509_parse(const uint8_t *der, size_t len, pb_x509 *c, pb_err *e);

/* Parse a certificate file's content, PEM ("CERTIFICATE", the first
 * one) or DER. For PEM the DER is written to scratch (cap bytes) and c
 * points there; for DER c points into buf. Returns as pb_x509_parse. */
int pb_x509_load(const uint8_t *buf, size_t len, uint8_t *scratch, size_t cap, pb_x509 *c,
	pb_err *e);

/* Next GeneralName of a subjectAltName view (san, san_len; *pos starts
 * at 0). Returns 1 with *gn filled, 0 at the end. The parser has checked
 * the list, so this never fails on a parsed certificate or CSR. */
int pb_x509_san_next(const uint8_t *san, size_t san_len, size_t *pos, pb_general_name *gn);

/* Verify a signature over data (TBS or CSR info) by key k: the
 * algorithm family must match the key. Returns 0, or PB_EVERIFY. */
int pb_verify_signed(const pb_pubkey *k, int sig_is_ec, pb_hash h, const uint8_t *data,
	size_t len, const uint8_t *sig, size_t sig_len, pb_err *e);

/* Is c's signature valid under the issuer's key? 0 or PB_EVERIFY. */
int pb_x509_verify(const pb_x509 *c, const pb_pubkey *issuer, pb_err *e);

/* --- pieces the certificate and CSR parsers share --- */

/* Open SEQUENCE { body SEQUENCE, AlgorithmIdentifier, BIT STRING } (one
 * element, no trailing bytes): body is the signed part's TLV, rest is
 * left just after it. Returns 0 or PB_EVERIFY. */
int pb_signed_open(const uint8_t *der, size_t len, der_tlv *body, der_cursor *rest, pb_err *e);

/* Read the algorithm and signature that end rest; inner_alg (or NULL)
 * is an algorithm the signed part states, which must be identical.
 * Returns 0 or PB_EVERIFY (unsupported algorithm, partial octets). */
int pb_signed_close(der_cursor *rest, const der_tlv *inner_alg, const uint8_t **sig,
	size_t *sig_len, int *is_ec, pb_hash *h, pb_err *e);

/* Read one Extension { OID, critical BOOLEAN DEFAULT FALSE, OCTET
 * STRING } from list: value is a cursor on the wrapped DER. */
der_status pb_ext_next(der_cursor *list, der_tlv *oid, int *critical, der_cursor *value);

/* A GeneralNames SEQUENCE (1..MAX) read from v; *san views its content.
 * Each name is checked (IA5 strings, IP length, forms). */
der_status pb_general_names_parse(der_cursor *v, const uint8_t **san, size_t *len);

/* A file's content as DER: the first PEM block with one of labels
 * (NULL-terminated) decoded into scratch, or buf itself if not PEM.
 * Returns 0, PB_EVERIFY (no such block, bad PEM), PB_EFAIL (too big). */
int pb_load_der(const uint8_t *buf, size_t len, const char *const *labels, uint8_t *scratch,
	size_t cap, const uint8_t **der, size_t *der_len, pb_err *e);

/* SHA-256 of the whole DER certificate. */
void pb_x509_fingerprint(const pb_x509 *c, uint8_t out[32]);

/* Names of keyUsage / extendedKeyUsage bits, comma-separated, into buf. */
const char *pb_ku_text(unsigned ku, char *buf, size_t cap);
const char *pb_eku_text(unsigned eku, char *buf, size_t cap);

/* "2026-11-24 03:30:00 UTC" */
const char *pb_time_text(int64_t t, char *buf, size_t cap);

/* Print a summary (subject, issuer, serial, validity, key, signature,
 * fingerprint, extensions), one "field: value" per line, to f. Prints
 * no errors: a field that cannot be shown prints as "?". */
void pb_x509_print(FILE *f, const pb_x509 *c);

#endif
