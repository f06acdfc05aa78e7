/* fuzz/fuzz_chain.c - certification path validation (core/pki/chain.c) on
 * hostile certificates: what `certstore verify` and `connect` (the server's
 * chain comes from the network) hand it. The input is DER certificates
 * back to back: the first is the leaf, the last the anchor, those between
 * intermediates; the validation time and purpose come from the bytes.
 * Invariants: the answer is 0 or 5; on 0 the anchor index is in range and
 * the path is real: the leaf is the anchor itself, or its issuer is among
 * the certificates given and its key verifies the leaf's signature. The
 * anchor must be a CA, as certstore add makes sure. */
#include <stdlib.h>
#include <string.h>

#include "core/asn1/der.h"
#include "core/pki/chain.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static pb_x509 certs[PB_CHAIN_DEPTH + 2];
	static const unsigned purposes[] = {0, PB_EKU_SERVER_AUTH, PB_EKU_CLIENT_AUTH, PB_EKU_CODE_SIGNING};
	pb_chain_opts o = {0};
	der_cursor c;
	der_tlv t;
	size_t n = 0, anchor = (size_t)-1;
	unsigned sum = 0;
	pb_err e;

	der_cursor_init(&c, data, size);
	while (n < sizeof certs / sizeof certs[0] && der_remaining(&c) > 0 && der_next(&c, &t) == DER_OK)
		if (pb_x509_parse(t.raw, t.raw_len, &certs[n], &e) == 0)
			n++;
	if (n < 2)
		return 0;
	for (size_t i = 0; i < size; i++)
		sum += data[i];
	/* mostly inside the leaf's validity, sometimes outside */
	o.at = sum % 8 == 0 ? certs[0].not_after + 1 : sum % 8 == 1 ? certs[0].not_before - 1 :
		certs[0].not_before + (certs[0].not_after - certs[0].not_before) / 2;
	o.purpose = purposes[sum / 8 % 4];
	/* anchors are CA certificates (certstore add refuses others) */
	if (pb_chain_check_ca(&certs[n - 1], &e) != 0)
		return 0;
	int rc = pb_chain_verify(&certs[0], certs + 1, n - 2, &certs[n - 1], 1, &o, &anchor, &e);
	if (rc != 0 && rc != PB_EVERIFY)
		abort();
	if (rc != 0)
		return 0;
	if (anchor != 0)
		abort();
	/* a leaf that is the anchor itself is trusted as it is */
	int issued = certs[0].der_len == certs[n - 1].der_len &&
		memcmp(certs[0].der, certs[n - 1].der, certs[0].der_len) == 0;
	for (size_t i = 1; i < n && !issued; i++)
		issued = certs[i].subject_len == certs[0].issuer_len &&
			memcmp(certs[i].subject, certs[0].issuer, certs[0].issuer_len) == 0 &&
			pb_x509_verify(&certs[0], &certs[i].pub, &e) == 0;
	if (!issued)
		abort();
	return 0;
}
