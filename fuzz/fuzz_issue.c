/* fuzz/fuzz_issue.c - issuance from a CSR (core/pki/issue.c): what the
 * CSR parser accepts and whose self-signature verifies, pb_issue_csr must
 * turn into a certificate (or refuse with a message) for every profile,
 * under a CA with pathlen 1 made once per process. Invariants: the
 * certificate parses, verifies under the CA key, names the CA as issuer,
 * carries the CSR's subject and public key, never outlives the CA, and its
 * PEM output loads back to the same DER. */
#include <stdlib.h>
#include <string.h>

#include "core/asn1/name.h"
#include "core/pki/issue.h"
#include "fuzz/fuzz_signer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const pb_x509 *fuzz_ca(void)
{
	static uint8_t name[256], der[PB_X509_MAX];
	static const uint8_t serial[] = {0x42};
	static pb_x509 ca;
	static int ready;
	size_t nlen, len;
	pb_err e;

	if (ready)
		return &ca;
	pb_cert_tmpl t = {.serial = serial, .serial_len = sizeof serial, .not_before = 1700000000,
		.not_after = 2000000000, .is_ca = 1, .pathlen = 1,
		.key_usage = PB_KU_KEY_CERT_SIGN | PB_KU_CRL_SIGN};
	if (pb_name_from_text("/CN=fuzz CA/O=provbox", name, sizeof name, &nlen, &e) != 0)
		abort();
	t.issuer = t.subject = name;
	t.issuer_len = t.subject_len = nlen;
	t.subject_key = &fuzz_signer()->pub;
	if (pb_x509_encode(&t, fuzz_signer(), der, sizeof der, &len, &e) != 0 ||
	    pb_x509_parse(der, len, &ca, &e) != 0 || pb_ca_check(&ca, fuzz_signer(), &e) != 0)
		abort();
	ready = 1;
	return &ca;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t scratch[PB_CSR_MAX], out[PB_X509_MAX], again[PB_X509_MAX];
	static char pem[PB_X509_MAX * 2];
	const pb_x509 *ca = fuzz_ca();
	unsigned sum = 0;
	pb_issue_opts o = {0};
	pb_csr csr;
	pb_x509 c, p;
	size_t len, plen;
	int capped;
	pb_err e;

	if (pb_csr_load(data, size, scratch, sizeof scratch, &csr, &e) != 0)
		return 0;
	for (size_t i = 0; i < size; i++)
		sum += data[i];
	o.profile = (pb_profile)(sum % 4);    /* device, server, guestos, subca */
	o.not_before = 1800000000;
	o.not_after = o.not_before + (int64_t)(sum % 3) * 200000000;   /* past the CA's end too */
	if (pb_issue_cap_validity(ca, &o, &capped, &e) != 0 || o.not_after > ca->not_after)
		abort();
	if (pb_issue_csr(ca, fuzz_signer(), &csr, &o, out, sizeof out, &len, &e) != 0)
		return 0;   /* refused: bad signature, server without a name, ... */
	if (pb_x509_parse(out, len, &c, &e) != 0 || pb_x509_verify(&c, &ca->pub, &e) != 0 ||
	    c.issuer_len != ca->subject_len || memcmp(c.issuer, ca->subject, c.issuer_len) != 0 ||
	    c.subject_len != csr.subject_len || memcmp(c.subject, csr.subject, c.subject_len) != 0 ||
	    !pb_pubkey_equal(&c.pub, &csr.pub) || c.not_after > ca->not_after ||
	    c.is_ca != (o.profile == PB_PROFILE_SUBCA))
		abort();
	if (pb_cert_output(out, len, 0, pem, sizeof pem, &plen, &e) != 0 ||
	    pb_x509_load((const uint8_t *)pem, plen, again, sizeof again, &p, &e) != 0 ||
	    p.der_len != len || memcmp(p.der, out, len) != 0)
		abort();
	return 0;
}
