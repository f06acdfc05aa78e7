/* core/tls/errors.c - BearSSL error codes and TLS alerts in words; see tls.h. */
#include "core/tls/tls.h"

#include <stdio.h>

static const struct { unsigned code; const char *name; } alerts[] = {
	{0, "close_notify"}, {10, "unexpected_message"}, {20, "bad_record_mac"},
	{21, "decryption_failed"}, {22, "record_overflow"}, {30, "decompression_failure"},
	{40, "handshake_failure"}, {41, "no_certificate"}, {42, "bad_certificate"},
	{43, "unsupported_certificate"}, {44, "certificate_revoked"}, {45, "certificate_expired"},
	{46, "certificate_unknown"}, {47, "illegal_parameter"}, {48, "unknown_ca"},
	{49, "access_denied"}, {50, "decode_error"}, {51, "decrypt_error"},
	{60, "export_restriction"}, {70, "protocol_version"}, {71, "insufficient_security"},
	{80, "internal_error"}, {86, "inappropriate_fallback"}, {90, "user_canceled"},
	{100, "no_renegotiation"}, {109, "missing_extension"}, {110, "unsupported_extension"},
	{112, "unrecognized_name"}, {113, "bad_certificate_status_response"},
	{115, "unknown_psk_identity"}, {116, "certificate_required"},
	{120, "no_application_protocol"},
};

const char *pb_tls_alert_name(unsigned alert)
{
	for (size_t i = 0; i < sizeof alerts / sizeof alerts[0]; i++)
		if (alerts[i].code == alert)
			return alerts[i].name;
	return "unknown alert";
}

const char *pb_tls_suite_name(uint16_t suite)
{
	switch (suite) {
	case BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: return "ECDHE-ECDSA-AES128-GCM-SHA256";
	case BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: return "ECDHE-ECDSA-AES256-GCM-SHA384";
	case BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: return "ECDHE-RSA-AES128-GCM-SHA256";
	case BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: return "ECDHE-RSA-AES256-GCM-SHA384";
	default: return "?";
	}
}

/* Alerts by which a server says it does not accept our certificate or
 * our proof of the key. */
static int alert_about_us(unsigned a)
{
	return (a >= 42 && a <= 46) || a == 48 || a == 49 || a == 51 || a == 116;
}

static int received_alert(unsigned a, pb_err *e)
{
	const char *n = pb_tls_alert_name(a);

	if (a == 51)
		return pb_fail(e, PB_EVERIFY, "server rejected our certificate (alert 51 decrypt_error: "
			"our signature does not verify with the certificate's key)");
	if (alert_about_us(a))
		return pb_fail(e, PB_EVERIFY, "server rejected our certificate (alert %u %s)", a, n);
	if (a == 70)
		return pb_fail(e, PB_EFAIL, "server refused TLS 1.2 (alert 70 protocol_version)");
	if (a == 40)
		return pb_fail(e, PB_EFAIL, "server refused the handshake (alert 40 handshake_failure: "
			"no common cipher suite or signature algorithm, or no client certificate)");
	if (a == 112)
		return pb_fail(e, PB_EFAIL, "server does not know the name we asked for (alert 112 unrecognized_name)");
	return pb_fail(e, PB_EFAIL, "server sent alert %u %s", a, n);
}

/* X.509 verification of the server's chain by br_x509_minimal. */
static int x509_error(int err, const char *servername, pb_err *e)
{
	const char *why;

	switch (err) {
	case BR_ERR_X509_NOT_TRUSTED: why = "not signed by a trusted CA"; break;
	case BR_ERR_X509_BAD_SERVER_NAME:
		return pb_fail(e, PB_EVERIFY, "server certificate: not issued for '%s' (use --servername "
			"for the name it carries)", servername ? servername : "?");
	case BR_ERR_X509_EXPIRED: why = "expired or not yet valid"; break;
	case BR_ERR_X509_TIME_UNKNOWN: why = "its validity cannot be checked (no clock)"; break;
	case BR_ERR_X509_BAD_SIGNATURE: why = "a signature in its chain does not verify"; break;
	case BR_ERR_X509_NOT_CA: why = "an issuer in its chain is not a CA"; break;
	case BR_ERR_X509_FORBIDDEN_KEY_USAGE: why = "its key usage forbids a TLS server"; break;
	case BR_ERR_X509_WEAK_PUBLIC_KEY: why = "its key is too small"; break;
	case BR_ERR_X509_CRITICAL_EXTENSION: why = "it has a critical extension we do not know"; break;
	case BR_ERR_X509_DN_MISMATCH: why = "its chain's issuer and subject names do not link"; break;
	case BR_ERR_X509_EMPTY_CHAIN: why = "the server sent none"; break;
	case BR_ERR_X509_LIMIT_EXCEEDED: why = "its chain is too long"; break;
	case BR_ERR_X509_WRONG_KEY_TYPE:
	case BR_ERR_X509_UNSUPPORTED: why = "unsupported key or signature algorithm"; break;
	default:
		return pb_fail(e, PB_EVERIFY, "server certificate: malformed (BearSSL X.509 error %d)", err);
	}
	return pb_fail(e, PB_EVERIFY, "server certificate: %s", why);
}

int pb_tls_error(int err, const char *servername, pb_err *e)
{
	if (err >= BR_ERR_RECV_FATAL_ALERT && err < BR_ERR_SEND_FATAL_ALERT)
		return received_alert((unsigned)(err - BR_ERR_RECV_FATAL_ALERT), e);
	if (err >= BR_ERR_SEND_FATAL_ALERT)
		return pb_fail(e, PB_EFAIL, "we sent alert %d %s", err - BR_ERR_SEND_FATAL_ALERT,
			pb_tls_alert_name((unsigned)(err - BR_ERR_SEND_FATAL_ALERT)));
	if (err >= BR_ERR_X509_OK && err < BR_ERR_RECV_FATAL_ALERT)
		return x509_error(err, servername, e);
	switch (err) {
	case BR_ERR_BAD_SIGNATURE:
		return pb_fail(e, PB_EVERIFY, "the server's key exchange signature does not verify");
	case BR_ERR_WRONG_KEY_USAGE:
		return pb_fail(e, PB_EVERIFY, "server certificate: its key usage does not allow the chosen suite");
	case BR_ERR_UNSUPPORTED_VERSION:
	case BR_ERR_BAD_VERSION:
		return pb_fail(e, PB_EFAIL, "server does not speak TLS 1.2");
	case BR_ERR_BAD_CIPHER_SUITE:
		return pb_fail(e, PB_EFAIL, "server chose a cipher suite we did not offer");
	case BR_ERR_INVALID_ALGORITHM:
		return pb_fail(e, PB_EFAIL, "server used a signature or curve we did not offer");
	case BR_ERR_BAD_MAC:
		return pb_fail(e, PB_EFAIL, "record integrity check failed (BAD_MAC)");
	case BR_ERR_NO_CLIENT_AUTH:
		return pb_fail(e, PB_EFAIL, "client authentication could not be done");
	case BR_ERR_IO:
		return pb_fail(e, PB_EFAIL, "I/O error");
	default:
		return pb_fail(e, PB_EFAIL, "TLS protocol error (BearSSL error %d)", err);
	}
}
