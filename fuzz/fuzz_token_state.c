/* fuzz/fuzz_token_state.c - the token state file (STATE/tokens/N.state):
 * whatever parses must fit the record (at most two 32-byte digests). */
#include <stdlib.h>

#include "core/token/token.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pb_token_state s;
	pb_err e;

	if (pb_token_state_parse("fuzz.state", data, size, &s, &e) == 0 && s.ndig > 2)
		abort();
	return 0;
}
