/* fuzz/fuzz_esl.c - EFI signature list parser: walk every list and every
 * signature; X509 entries go through the certificate parser, and a
 * certificate that parses re-encodes to the same list entry. */
#include <stdlib.h>
#include <string.h>

#include "core/pki/esl.h"
#include "core/pki/x509.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[PB_X509_MAX + 64];
	size_t pos = 0, n;
	pb_esl l;
	pb_err e;
	int r;

	while ((r = pb_esl_next(data, size, &pos, &l, &e)) == 1) {
		if (pos > size || l.sigs + l.count * l.sig_size > data + size)
			abort();
		for (size_t i = 0; i < l.count && i < 64; i++) {
			const uint8_t *owner, *cert;
			size_t len;
			pb_x509 c;

			pb_esl_sig(&l, i, &owner, &cert, &len);
			if (memcmp(l.type, pb_efi_cert_x509_guid, PB_GUID_LEN) != 0 ||
			    pb_x509_parse(cert, len, &c, &e) != 0)
				continue;
			if (l.count == 1 && l.header_len == 0 &&
			    (pb_esl_encode_x509(cert, len, owner, out, sizeof out, &n, &e) != 0 ||
			     memcmp(out, l.type, n) != 0))
				abort();
		}
	}
	if (r != 0 && r != -1)
		abort();
	return 0;
}
