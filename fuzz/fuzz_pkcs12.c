/* fuzz/fuzz_pkcs12.c - the PKCS#12 reader (outer PFX, MAC, safes, bags,
 * PBES2 / PKCS#12 PBE decryption) with the fixed password "fuzz" of the
 * seed corpus (fuzz/corpus-pkcs12.sh). The safes are decoded even when
 * the MAC does not match, so that mutated files still reach the bag
 * parser; a file that opens must write and read back to the same key and
 * certificate. Fuzz builds cap iteration counts at 64 (core/crypto/pbe.h). */
#include <stdlib.h>
#include <string.h>

#include "core/pki/pkcs12.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void round_trip(const pb_p12_contents *c, const pb_p12_cert *kc, const pb_secret *pw)
{
	static uint8_t out[PB_P12_WRITE_MAX];
	pb_p12_write_params p = {&c->key, kc->der, kc->len, "fuzz", 1};
	pb_p12_contents back;
	const pb_p12_cert *bc;
	size_t n;
	pb_err e;

	if (pb_p12_write(&p, pw, out, sizeof out, &n, &e) != 0)
		return;   /* e.g. a certificate larger than we write */
	if (pb_p12_read(out, n, pw, &back, &e) != 0 || !back.has_key ||
	    !pb_pubkey_equal(&back.key.pub, &c->key.pub) || (bc = pb_p12_key_cert(&back)) == NULL ||
	    bc->len != kc->len || memcmp(bc->der, kc->der, kc->len) != 0)
		abort();
	pb_p12_contents_wipe(&back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size + 1);
	pb_p12_pfx pfx;
	pb_p12_contents c;
	pb_secret pw;
	pb_err e;

	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	pb_secret_set(&pw, "fuzz", &e);
	if (pb_p12_parse(buf, size, &pfx, &e) == 0) {
		int mac_ok = pb_p12_verify_mac(&pfx, &pw, &e) == 0;
		if (pb_p12_decode(&pfx, &pw, &c, &e) == 0) {
			const pb_p12_cert *kc = pb_p12_key_cert(&c);
			if (mac_ok && kc)
				round_trip(&c, kc, &pw);
			pb_p12_contents_wipe(&c);
		}
	}
	free(buf);
	return 0;
}
