/* fuzz/fuzz_pbes2.c - the encryption AlgorithmIdentifier of PKCS#12 bags
 * (PBES2 with PBKDF2, the PKCS#12 3DES/2DES PBEs, named-and-refused RC2/RC4)
 * and the CBC/padding check behind it. The input is one DER element, the
 * AlgorithmIdentifier, followed by the ciphertext, decrypted with the
 * password "fuzz" (fuzz builds cap iterations at 64). Invariants: what
 * decrypts is no longer than the ciphertext; and our own PBES2 encryption
 * of the tail, with its algid, decrypts back to the same bytes. */
#include <stdlib.h>
#include <string.h>

#include "core/crypto/pbe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[8192], enc[8192 + 16], algid[256];
	der_cursor c;
	der_tlv t;
	pb_secret pw;
	pb_pbe_pw ppw;
	pb_err e;
	size_t n, tail, plain;

	if (size > sizeof buf)
		return 0;
	pb_secret_set(&pw, "fuzz", &e);
	pb_pbe_pw_init(&ppw, &pw);
	der_cursor_init(&c, data, size);
	if (der_next(&c, &t) == DER_OK) {
		tail = size - c.pos;
		memcpy(buf, data + c.pos, tail);
		if (pb_pbe_decrypt(&t, &ppw, buf, tail, &plain, &e) == 0 && plain > tail)
			abort();
	}
	/* round trip: ours, under fixed salt and IV taken from the input */
	{
		pb_pbes2 p = {.iter = 1 + (size ? data[0] % 4 : 0)};
		der_writer w;
		der_tlv a;
		size_t alen, m = size > 512 ? 512 : size;

		for (size_t i = 0; i < sizeof p.salt && i < size; i++)
			p.salt[i] = data[i], p.iv[i] = data[size - 1 - i];
		if (pb_pbes2_encrypt(&p, &pw, data, m, enc, sizeof enc, &n, &e) != 0)
			abort();
		der_writer_init(&w, algid, sizeof algid);
		pb_pbes2_write_algid(&p, &w);
		if (der_writer_finish(&w, &alen) != DER_OK ||
		    der_parse_single(algid, alen, DER_SEQUENCE, &a) != DER_OK ||
		    pb_pbe_decrypt(&a, &ppw, enc, n, &plain, &e) != 0 || plain != m ||
		    memcmp(enc, data, m) != 0)
			abort();
	}
	pb_pbe_pw_wipe(&ppw);
	pb_secret_wipe(&pw);
	return 0;
}
