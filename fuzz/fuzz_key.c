/* fuzz/fuzz_key.c - private and public key parsing (PKCS#8, SEC1, PKCS#1,
 * SPKI; PEM or DER). A key that parses must re-encode and parse again
 * to the same public key, and a private key that parses must sign a
 * digest that its public key verifies (the parser let no inconsistent
 * key through). */
#include <stdlib.h>

#include "core/crypto/key.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pb_privkey k, k2;
	pb_pubkey p;
	pb_err e;
	uint8_t der[4096];
	size_t len;

	if (pb_privkey_load(data, size, &k, &e) == 0) {
		static const uint8_t digest[32] = {1, 2, 3};
		uint8_t sig[PB_SIG_MAX];
		size_t slen;
		/* a signature that comes out must verify (RSA: refused if the CRT
		 * parameters are inconsistent, exit 5) */
		int rc = pb_privkey_sign(&k, PB_HASH_SHA256, digest, sizeof digest, sig, sizeof sig, &slen, &e);
		if ((rc == 0 && !pb_pubkey_verify(&k.pub, PB_HASH_SHA256, digest, sizeof digest, sig, slen)) ||
		    (rc != 0 && rc != PB_EVERIFY))
			abort();
		if (pb_privkey_to_pkcs8(&k, der, sizeof der, &len, &e) == 0) {
			if (pb_privkey_parse_der(der, len, &k2, &e) != 0 || !pb_pubkey_equal(&k.pub, &k2.pub))
				abort();
			pb_privkey_wipe(&k2);
		}
		pb_privkey_wipe(&k);
	}
	if (pb_pubkey_load(data, size, &p, &e) == 0) {
		der_writer w;
		pb_pubkey p2;
		der_writer_init(&w, der, sizeof der);
		pb_pubkey_write_spki(&p, &w);
		if (der_writer_finish(&w, &len) != DER_OK || pb_pubkey_parse_spki(der, len, &p2, &e) != 0 ||
		    !pb_pubkey_equal(&p, &p2))
			abort();
	}
	return 0;
}
