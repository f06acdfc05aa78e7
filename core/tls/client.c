/* core/tls/client.c - the TLS 1.2 client: socket, engine, deadline; see tls.h. */
#include "core/tls/tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/asn1/name.h"
#include "core/base/file.h"

static const uint16_t suites[] = {
	BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Milliseconds left before the deadline (0: passed), for poll. */
static int left_ms(const pb_tls_conn *c)
{
	int64_t d = c->deadline_ms - now_ms();

	return d <= 0 ? 0 : d > 60 * 60 * 1000 ? 60 * 60 * 1000 : (int)d;
}

/* ------------------------------------------------------------------ */
/* The X.509 engine: br_x509_minimal, wrapped to keep the server's own
 * certificate (for its subject) and to check an IP address server name,
 * which BearSSL does not match. */

typedef struct pb_tls_x509 xwrap;

static xwrap *xw(const br_x509_class *const *ctx)
{
	return (xwrap *)(void *)ctx;
}

static void xw_start_chain(const br_x509_class **ctx, const char *server_name)
{
	xwrap *w = xw(ctx);

	w->ee_len = 0;
	w->ee_over = 0;
	w->ncert = 0;
	w->inner->vtable->start_chain(&w->inner->vtable, server_name);
}

static void xw_start_cert(const br_x509_class **ctx, uint32_t length)
{
	xwrap *w = xw(ctx);

	w->ncert++;
	w->inner->vtable->start_cert(&w->inner->vtable, length);
}

static void xw_append(const br_x509_class **ctx, const unsigned char *buf, size_t len)
{
	xwrap *w = xw(ctx);

	if (w->ncert == 1) {
		if (len > sizeof w->ee - w->ee_len)
			w->ee_over = 1;
		else {
			memcpy(w->ee + w->ee_len, buf, len);
			w->ee_len += len;
		}
	}
	w->inner->vtable->append(&w->inner->vtable, buf, len);
}

static void xw_end_cert(const br_x509_class **ctx)
{
	xwrap *w = xw(ctx);

	w->inner->vtable->end_cert(&w->inner->vtable);
}

/* Does one iPAddress entry of the certificate's subjectAltName equal ip? */
static int ip_matches(const xwrap *w)
{
	pb_general_name gn;
	pb_x509 c;
	pb_err e;
	size_t pos = 0;

	if (w->ee_over || pb_x509_parse(w->ee, w->ee_len, &c, &e) != 0 || !(c.has & PB_X509_HAS_SAN))
		return 0;
	while (pb_x509_san_next(c.san, c.san_len, &pos, &gn))
		if (gn.type == PB_GN_IP && gn.len == w->ip_len && memcmp(gn.val, w->ip, gn.len) == 0)
			return 1;
	return 0;
}

static unsigned xw_end_chain(const br_x509_class **ctx)
{
	xwrap *w = xw(ctx);
	unsigned r = w->inner->vtable->end_chain(&w->inner->vtable);

	if (r == 0 && w->ip_len && !ip_matches(w))
		return BR_ERR_X509_BAD_SERVER_NAME;
	return r;
}

static const br_x509_pkey *xw_get_pkey(const br_x509_class *const *ctx, unsigned *usages)
{
	const xwrap *w = xw(ctx);

	return w->inner->vtable->get_pkey((const br_x509_class *const *)&w->inner->vtable, usages);
}

static const br_x509_class xwrap_class = {
	sizeof(xwrap), xw_start_chain, xw_start_cert, xw_append, xw_end_cert, xw_end_chain, xw_get_pkey
};

/* ------------------------------------------------------------------ */
/* Engine setup: TLS 1.2 only, the four AES-GCM ECDHE suites, SHA-256
 * and SHA-384 only (the hashes every HAL key signs with; BearSSL then
 * offers and accepts signature algorithms with those alone). */

static void engine_init(pb_tls_conn *c, const pb_tls_config *cfg)
{
	br_ssl_client_context *cc = &c->cc;
	br_ssl_engine_context *eng = &cc->eng;
	br_x509_minimal_context *xc = &c->xc;

	br_ssl_client_zero(cc);
	br_ssl_engine_set_versions(eng, BR_TLS12, BR_TLS12);
	br_ssl_engine_set_suites(eng, suites, sizeof suites / sizeof suites[0]);
	br_ssl_engine_set_hash(eng, br_sha256_ID, &br_sha256_vtable);
	br_ssl_engine_set_hash(eng, br_sha384_ID, &br_sha384_vtable);
	br_ssl_engine_set_prf_sha256(eng, &br_tls12_sha256_prf);
	br_ssl_engine_set_prf_sha384(eng, &br_tls12_sha384_prf);
	br_ssl_engine_set_default_aes_gcm(eng);
	br_ssl_engine_set_default_ec(eng);
	br_ssl_engine_set_default_ecdsa(eng);
	br_ssl_engine_set_default_rsavrfy(eng);
	br_ssl_client_set_default_rsapub(cc);

	/* certificates in the server's chain may also be signed with SHA-512 */
	br_x509_minimal_init(xc, &br_sha256_vtable, cfg->anchors->ta, cfg->anchors->n);
	br_x509_minimal_set_hash(xc, br_sha256_ID, &br_sha256_vtable);
	br_x509_minimal_set_hash(xc, br_sha384_ID, &br_sha384_vtable);
	br_x509_minimal_set_hash(xc, br_sha512_ID, &br_sha512_vtable);
	br_x509_minimal_set_rsa(xc, br_rsa_pkcs1_vrfy_get_default());
	br_x509_minimal_set_ecdsa(xc, br_ec_get_default(), br_ecdsa_vrfy_asn1_get_default());
	c->x509.vtable = &xwrap_class;
	c->x509.inner = xc;
	br_ssl_engine_set_x509(eng, &c->x509.vtable);

	/* The client auth object (and the key's backend) live for the
	 * handshake only: a renegotiation would call it again. */
	br_ssl_engine_add_flags(eng, BR_OPT_NO_RENEGOTIATION);
	if (cfg->client_auth)
		br_ssl_client_set_client_certificate(cc, cfg->client_auth);
	br_ssl_engine_set_buffer(eng, c->iobuf, sizeof c->iobuf, 1);
}

/* ------------------------------------------------------------------ */
/* TCP connect with the deadline, each address of host in turn. */

static void addr_text(const struct sockaddr *sa, char *buf, size_t cap)
{
	char h[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)sa;
		inet_ntop(AF_INET, &in->sin_addr, h, sizeof h);
		port = ntohs(in->sin_port);
		snprintf(buf, cap, "%s:%u", h, port);
	} else {
		const struct sockaddr_in6 *in6 = (const void *)sa;
		inet_ntop(AF_INET6, &in6->sin6_addr, h, sizeof h);
		port = ntohs(in6->sin6_port);
		snprintf(buf, cap, "[%s]:%u", h, port);
	}
}

/* One address: 0 connected, else errno (ETIMEDOUT when the deadline passed). */
static int try_addr(pb_tls_conn *c, const struct addrinfo *ai)
{
	struct pollfd p;
	socklen_t sl = sizeof(int);
	int fd, err = 0, r;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
	if (fd < 0)
		return errno;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
		c->fd = fd;
		return 0;
	}
	if (errno != EINPROGRESS) {
		err = errno;
		close(fd);
		return err;
	}
	p = (struct pollfd){fd, POLLOUT, 0};
	do
		r = poll(&p, 1, left_ms(c));
	while (r < 0 && errno == EINTR);
	if (r == 0)
		err = ETIMEDOUT;
	else if (r < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &sl) != 0)
		err = errno;
	if (err != 0) {
		close(fd);
		return err;
	}
	c->fd = fd;
	return 0;
}

static int tcp_connect(pb_tls_conn *c, const pb_tls_config *cfg, pb_tls_info *info, pb_err *e)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_family = AF_UNSPEC};
	struct addrinfo *res, *ai;
	int r, err = 0;

	r = getaddrinfo(cfg->host, cfg->port, &hints, &res);
	if (r != 0)
		return pb_fail(e, PB_EFAIL, "resolving %s: %s", cfg->host, gai_strerror(r));
	for (ai = res; ai; ai = ai->ai_next) {
		addr_text(ai->ai_addr, info->peer_addr, sizeof info->peer_addr);
		err = try_addr(c, ai);
		if (err == 0 || err == ETIMEDOUT)
			break;
	}
	freeaddrinfo(res);
	if (err == ETIMEDOUT)
		return pb_fail(e, PB_EFAIL, "TCP connect to %s port %s: no answer within %u s",
			cfg->host, cfg->port, cfg->timeout_s);
	if (err != 0)
		return pb_fail(e, PB_EFAIL, "TCP connect to %s port %s: %s", cfg->host, cfg->port, strerror(err));
	return 0;
}

/* ------------------------------------------------------------------ */
/* The engine loop. Handshake: until the engine is ready for application
 * data, within the deadline. Data: records both ways, in_fd to the
 * engine, the engine's data to out_fd, until the engine closes. */

enum { PHASE_HANDSHAKE, PHASE_DATA };

typedef struct loop {
	int phase;
	int in_fd, out_fd;
	int peer_eof;       /* the server closed TCP */
	int io_err;         /* errno of a failed send/recv */
	int sent_any;       /* in_fd gave data */
	int in_eof;         /* in_fd ended: waiting for the rest of the reply */
	int closing;        /* close_notify sent */
	int linger_ms;
	int64_t until_ms;   /* in_eof/closing: when to stop waiting */
} loop;

/* Move bytes between the socket and the engine once poll said so. */
static void sock_io(pb_tls_conn *c, loop *l, unsigned st, short revents)
{
	br_ssl_engine_context *eng = &c->cc.eng;
	unsigned char *buf;
	size_t len;
	ssize_t n;

	if ((st & BR_SSL_SENDREC) && (revents & (POLLOUT | POLLERR | POLLHUP))) {
		buf = br_ssl_engine_sendrec_buf(eng, &len);
		n = send(c->fd, buf, len, MSG_NOSIGNAL);
		if (n > 0)
			br_ssl_engine_sendrec_ack(eng, (size_t)n);
		else if (n < 0 && errno != EAGAIN && errno != EINTR)
			l->io_err = errno;
	}
	if ((st & BR_SSL_RECVREC) && (revents & (POLLIN | POLLERR | POLLHUP))) {
		buf = br_ssl_engine_recvrec_buf(eng, &len);
		n = recv(c->fd, buf, len, 0);
		if (n > 0)
			br_ssl_engine_recvrec_ack(eng, (size_t)n);
		else if (n == 0)
			l->peer_eof = 1;
		else if (errno != EAGAIN && errno != EINTR)
			l->io_err = errno;
	}
}

/* Send close_notify. BearSSL drops application data that arrives after
 * it, so this comes only once the reply is in (see app_in). */
static void start_close(pb_tls_conn *c, loop *l)
{
	br_ssl_engine_close(&c->cc.eng);
	l->closing = 1;
	l->until_ms = now_ms() + l->linger_ms;
}

/* stdin (or whatever in_fd is) into the engine. At its end: close at
 * once if nothing was sent, else wait for the reply until the server
 * closes or stays silent for linger_ms. */
static void app_in(pb_tls_conn *c, loop *l)
{
	br_ssl_engine_context *eng = &c->cc.eng;
	unsigned char *buf;
	size_t len;
	ssize_t n;

	buf = br_ssl_engine_sendapp_buf(eng, &len);
	n = read(l->in_fd, buf, len);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		l->in_fd = -1;
		if (!l->sent_any)
			start_close(c, l);
		else {
			l->in_eof = 1;
			l->until_ms = now_ms() + l->linger_ms;
		}
		return;
	}
	l->sent_any = 1;
	br_ssl_engine_sendapp_ack(eng, (size_t)n);
	br_ssl_engine_flush(eng, 0);
}

/* Why the loop stopped, in words. */
static int loop_fail(pb_tls_conn *c, const loop *l, pb_err *e)
{
	const char *what = l->phase == PHASE_HANDSHAKE ? "handshake" : "connection";
	const pb_tls_config *cfg = c->cfg;
	int err = br_ssl_engine_last_error(&c->cc.eng);

	if (l->phase == PHASE_HANDSHAKE && cfg->client_auth_err && cfg->client_auth_err->code != 0 &&
	    (err < BR_ERR_X509_OK || err >= BR_ERR_RECV_FATAL_ALERT)) {
		*e = *cfg->client_auth_err;
		return pb_err_prefix(e, "%s", what);
	}
	if (l->phase == PHASE_DATA && err >= BR_ERR_RECV_FATAL_ALERT && err < BR_ERR_SEND_FATAL_ALERT)
		return pb_fail(e, PB_EFAIL, "connection: the server ended it with alert %d %s%s",
			err - BR_ERR_RECV_FATAL_ALERT, pb_tls_alert_name((unsigned)(err - BR_ERR_RECV_FATAL_ALERT)),
			err - BR_ERR_RECV_FATAL_ALERT == 40 ? " (after we refused to renegotiate?)" : "");
	if (err != BR_ERR_OK) {
		pb_tls_error(err, cfg->servername ? cfg->servername : cfg->host, e);
		return pb_err_prefix(e, "%s", what);
	}
	if (l->io_err == ECONNRESET || l->io_err == EPIPE)
		return pb_fail(e, PB_EFAIL, "%s: the server closed the connection (%s)", what,
			strerror(l->io_err));
	if (l->io_err)
		return pb_fail(e, PB_EFAIL, "%s: %s", what, strerror(l->io_err));
	return pb_fail(e, PB_EFAIL, "%s: the server closed the connection%s", what,
		l->phase == PHASE_HANDSHAKE ? " during the handshake" : " without close_notify");
}

static int run(pb_tls_conn *c, loop *l, pb_err *e)
{
	br_ssl_engine_context *eng = &c->cc.eng;

	for (;;) {
		unsigned st = br_ssl_engine_current_state(eng);
		struct pollfd p[2];
		int n = 1, r, tmo;

		if (st & BR_SSL_CLOSED) {
			if (br_ssl_engine_last_error(eng) == BR_ERR_OK && l->phase == PHASE_DATA)
				return 0;
			return loop_fail(c, l, e);
		}
		if (l->phase == PHASE_HANDSHAKE && (st & (BR_SSL_SENDAPP | BR_SSL_RECVAPP)))
			return 0;
		if (st & BR_SSL_RECVAPP) {
			size_t len;
			unsigned char *buf = br_ssl_engine_recvapp_buf(eng, &len);
			if (pb_write_all(l->out_fd, buf, len) != 0)
				return pb_fail(e, PB_EFAIL, "connection: writing the server's data: %s",
					strerror(errno));
			br_ssl_engine_recvapp_ack(eng, len);
			if (l->in_eof && !l->closing)
				l->until_ms = now_ms() + l->linger_ms;
			continue;
		}
		if (l->peer_eof || l->io_err) {
			/* our data was all sent and the server just hung up: done */
			if (l->phase == PHASE_DATA && (l->in_eof || l->closing) && l->peer_eof)
				return 0;
			return loop_fail(c, l, e);
		}
		if (l->in_eof || l->closing) {
			int64_t left = l->until_ms - now_ms();
			if (left <= 0 && l->closing)
				return 0;     /* close_notify sent; the server does not answer it */
			if (left <= 0) {
				start_close(c, l);
				continue;
			}
		}
		p[0] = (struct pollfd){c->fd, (short)(((st & BR_SSL_SENDREC) ? POLLOUT : 0) |
			((st & BR_SSL_RECVREC) ? POLLIN : 0)), 0};
		if (l->phase == PHASE_DATA && l->in_fd >= 0 && (st & BR_SSL_SENDAPP))
			p[n++] = (struct pollfd){l->in_fd, POLLIN, 0};
		tmo = l->phase == PHASE_HANDSHAKE ? left_ms(c) : -1;
		if (l->phase == PHASE_DATA && (l->in_eof || l->closing)) {
			int64_t left = l->until_ms - now_ms();
			tmo = left < 1 ? 1 : (int)left;
		}
		if (tmo == 0)
			return pb_fail(e, PB_EFAIL, "handshake: no answer from the server within %u s",
				c->cfg->timeout_s);
		r = poll(p, (nfds_t)n, tmo);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return pb_fail(e, PB_EFAIL, "poll: %s", strerror(errno));
		if (r == 0)
			continue;   /* deadline check at the top */
		sock_io(c, l, st, p[0].revents);
		if (n == 2 && p[1].revents)
			app_in(c, l);
	}
}

/* ------------------------------------------------------------------ */

static int parse_ip(const char *name, uint8_t *ip, size_t *len)
{
	if (inet_pton(AF_INET, name, ip) == 1) {
		*len = 4;
		return 1;
	}
	if (inet_pton(AF_INET6, name, ip) == 1) {
		*len = 16;
		return 1;
	}
	return 0;
}

static void fill_info(pb_tls_conn *c, pb_tls_info *info)
{
	br_ssl_session_parameters sp;
	pb_x509 x;
	pb_err e;

	br_ssl_engine_get_session_parameters(&c->cc.eng, &sp);
	info->suite = sp.cipher_suite;
	info->suite_name = pb_tls_suite_name(sp.cipher_suite);
	strcpy(info->server_subject, "?");
	strcpy(info->server_issuer, "?");
	if (!c->x509.ee_over && pb_x509_parse(c->x509.ee, c->x509.ee_len, &x, &e) == 0) {
		pb_name_to_text(x.subject, x.subject_len, info->server_subject,
			sizeof info->server_subject, &e);
		pb_name_to_text(x.issuer, x.issuer_len, info->server_issuer,
			sizeof info->server_issuer, &e);
	}
}

int pb_tls_connect(pb_tls_conn *c, const pb_tls_config *cfg, pb_tls_info *info, pb_err *e)
{
	const char *name = cfg->servername ? cfg->servername : cfg->host;
	loop l = {.phase = PHASE_HANDSHAKE, .in_fd = -1, .out_fd = -1};

	memset(info, 0, sizeof *info);
	c->fd = -1;
	c->cfg = cfg;
	c->deadline_ms = now_ms() + (int64_t)cfg->timeout_s * 1000;
	if (cfg->anchors == NULL || cfg->anchors->n == 0)
		return pb_fail(e, PB_EUSAGE, "no trust anchors for the server");
	if (strlen(name) > 255)
		return pb_fail(e, PB_EUSAGE, "server name '%.40s...' is too long", name);
	engine_init(c, cfg);
	c->x509.ip_len = 0;
	/* BearSSL matches DNS names only: an address is no SNI, and our check */
	if (parse_ip(name, c->x509.ip, &c->x509.ip_len))
		name = NULL;
	if (!br_ssl_client_reset(&c->cc, name, 0))
		return pb_tls_error(br_ssl_engine_last_error(&c->cc.eng), name, e);
	if (tcp_connect(c, cfg, info, e) != 0)
		return e->code;
	if (run(c, &l, e) != 0) {
		pb_tls_close(c);
		return e->code;
	}
	fill_info(c, info);
	return 0;
}

int pb_tls_pump(pb_tls_conn *c, int in_fd, int out_fd, unsigned linger_ms, pb_err *e)
{
	loop l = {.phase = PHASE_DATA, .in_fd = in_fd, .out_fd = out_fd, .linger_ms = (int)linger_ms};
	int rc = run(c, &l, e);

	pb_tls_close(c);
	return rc;
}

void pb_tls_close(pb_tls_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}
