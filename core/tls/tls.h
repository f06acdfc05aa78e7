/* core/tls/tls.h - a TLS 1.2 client over BearSSL, for `connect`.
 *
 * BearSSL does all record and handshake parsing; this layer chooses the
 * algorithms, verifies the server with br_x509_minimal against trust
 * anchors read by our own X.509 parser, runs the engine over a
 * non-blocking socket with a deadline, and turns BearSSL error codes and
 * received alerts into messages that say what happened.
 *
 * Client authentication is a br_ssl_client_certificate_class handed in
 * by the caller (hal/tls_signer.c: the signature is made by a HAL key),
 * so this layer never sees a private key. It is used during
 * pb_tls_connect only (renegotiation is refused), so the caller may
 * release it and the key's backend before pb_tls_pump.
 *
 * Algorithms: TLS 1.2 only; ECDHE-ECDSA and ECDHE-RSA with AES-GCM
 * (128/SHA-256, 256/SHA-384); signatures with SHA-256 or SHA-384 only
 * (what every HAL backend signs), both ways.
 */
#ifndef PB_TLS_H
#define PB_TLS_H

#include <stddef.h>
#include <stdint.h>

#include <bearssl.h>

#include "core/asn1/name.h"
#include "core/base/err.h"
#include "core/crypto/key.h"
#include "core/pki/x509.h"

#define PB_TLS_ANCHORS_MAX 32

/* Trust anchors for server verification. Owns copies of each anchor's
 * Name and key, so the input buffer may go once loaded. */
typedef struct pb_tls_anchors {
	br_x509_trust_anchor ta[PB_TLS_ANCHORS_MAX];
	pb_pubkey key[PB_TLS_ANCHORS_MAX];
	uint8_t *dn[PB_TLS_ANCHORS_MAX];
	size_t n;
} pb_tls_anchors;

/* Add every certificate of buf (PEM with one or more CERTIFICATE
 * blocks, or one DER certificate) as an anchor; a CA certificate
 * anchors chains, any other is trusted only as that exact end entity.
 * `what` names the input in messages. Returns 0, PB_EVERIFY (not a
 * certificate, no certificate at all), PB_EFAIL (too many). */
int pb_tls_anchors_add(pb_tls_anchors *a, const uint8_t *buf, size_t len, const char *what,
	pb_err *e);
/* Add the certificate store's `device` anchors (state_dir: --state, or
 * NULL for $PROVBOX_STATE / the default). PB_EUSAGE when there is none
 * (the caller then wants --ca), PB_EVERIFY for a damaged store. */
int pb_tls_anchors_device(pb_tls_anchors *a, const char *state_dir, pb_err *e);
void pb_tls_anchors_free(pb_tls_anchors *a);

/* A certificate chain to send (the client's): DER copies, leaf first. */
#define PB_TLS_CHAIN_MAX 8
typedef struct pb_tls_chain {
	br_x509_certificate cert[PB_TLS_CHAIN_MAX];
	size_t n;
} pb_tls_chain;

/* Append every certificate of buf (PEM blocks, or one DER). Each is
 * parsed (PB_EVERIFY if malformed). */
int pb_tls_chain_add(pb_tls_chain *c, const uint8_t *buf, size_t len, const char *what,
	pb_err *e);
void pb_tls_chain_free(pb_tls_chain *c);

typedef struct pb_tls_config {
	const char *host;          /* name or address to connect to */
	const char *port;          /* decimal port */
	const char *servername;    /* name the server certificate must carry (NULL: host);
	                              an IP address is matched against iPAddress SANs */
	unsigned timeout_s;        /* connect + handshake deadline */
	const pb_tls_anchors *anchors;
	/* client authentication: the class instance, and where it reports
	 * its own failure (code != 0) so the handshake error can name it */
	const br_ssl_client_certificate_class **client_auth;
	const pb_err *client_auth_err;
} pb_tls_config;

/* What the handshake agreed on. */
typedef struct pb_tls_info {
	uint16_t suite;
	const char *suite_name;     /* "ECDHE-ECDSA-AES128-GCM-SHA256" (openssl's names) */
	char server_subject[PB_NAME_TEXT_MAX];
	char server_issuer[PB_NAME_TEXT_MAX];
	char peer_addr[64];         /* "127.0.0.1:4433" */
} pb_tls_info;

/* One connection. Large (the engine and its buffers): caller-allocated,
 * e.g. calloc'd; nothing inside allocates but the anchor/chain copies. */
typedef struct pb_tls_conn {
	int fd;
	br_ssl_client_context cc;
	br_x509_minimal_context xc;
	struct pb_tls_x509 {
		const br_x509_class *vtable;     /* wraps xc, keeps the server's certificate */
		br_x509_minimal_context *inner;
		uint8_t ee[PB_X509_MAX];
		size_t ee_len;
		int ee_over;
		unsigned ncert;
		uint8_t ip[16];                   /* servername as an IP address */
		size_t ip_len;
	} x509;
	const pb_tls_config *cfg;
	int64_t deadline_ms;
	unsigned char iobuf[BR_SSL_BUFSIZE_BIDI];
} pb_tls_conn;

/* Connect (every address of host in turn) and run the handshake, all
 * within cfg->timeout_s. Returns 0 with info filled; PB_EFAIL for
 * network trouble, timeouts and handshake failures not about trust;
 * PB_EVERIFY when the server's certificate does not verify (chain, name,
 * validity) or the server refused ours (certificate alerts). On error
 * the connection is closed. */
int pb_tls_connect(pb_tls_conn *c, const pb_tls_config *cfg, pb_tls_info *info, pb_err *e);

/* After the handshake: copy in_fd to the connection and the server's
 * data to out_fd until either side closes. When in_fd ends, the reply
 * is still read until the server closes or is silent for linger_ms,
 * then close_notify goes out (BearSSL drops data arriving after it);
 * when in_fd gave nothing, close_notify goes out at once. No deadline
 * before that. 0 on a clean close; PB_EFAIL otherwise (the server
 * hung up without close_notify while we still had data to send). */
int pb_tls_pump(pb_tls_conn *c, int in_fd, int out_fd, unsigned linger_ms, pb_err *e);

void pb_tls_close(pb_tls_conn *c);

/* Words for BearSSL's error codes and TLS alerts (for messages, tests). */
const char *pb_tls_alert_name(unsigned alert);
const char *pb_tls_suite_name(uint16_t suite);
/* Fill e from a BearSSL error code after a failed handshake; returns e->code. */
int pb_tls_error(int br_err, const char *servername, pb_err *e);

#endif
