#!/bin/sh
# Regenerate the seed corpora of the simulated TEE's file parsers from real
# files, made under the harnesses' fixed device secret (00 01 .. 1f):
#   fuzz/corpus/tee_index   STATE/tee/dirf.db (fresh token, with a user PIN,
#                           with keys, after a wrong PIN), each also decrypted
#                           (the plaintext parser alone), and broken ones
#   fuzz/corpus/tee_object  STATE/tee/obj.N (EC P-256, RSA-2048), decrypted too
# Usage: PROVBOX=build/provbox fuzz/make_tee_corpus.sh   (needs build/libprovbox.a)
set -eu
: "${PROVBOX:?set PROVBOX to the binary}"
PROVBOX=$(cd "$(dirname "$PROVBOX")" && pwd)/$(basename "$PROVBOX")
top=$(cd "$(dirname "$0")/.." && pwd)
lib=$(dirname "$PROVBOX")/libprovbox.a
c=$top/fuzz/corpus
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
export PROVBOX_STATE="$tmp/state"
mkdir -p "$c/tee_index" "$c/tee_object" "$PROVBOX_STATE/tee"
chmod 700 "$PROVBOX_STATE" "$PROVBOX_STATE/tee"
printf "$(i=0; while [ $i -lt 32 ]; do printf '\\%03o' $i; i=$((i + 1)); done)" > "$PROVBOX_STATE/tee/huk"
pb() { "$PROVBOX" "$@" > /dev/null 2>&1; }
# the plaintext of a file, opened as sim/tee.c opens it
cat > open.c <<'C'
#include <stdio.h>
#include <stdlib.h>
#include "core/base/file.h"
#include "sim/tee.h"
int main(int argc, char **argv)
{
	uint8_t huk[32], key[32], *buf, *pt;
	size_t len;
	sim_tee_header h;
	pb_err e;
	for (int i = 0; i < 32; i++)
		huk[i] = (uint8_t)i;
	sim_tee_storage_key(huk, key);
	if (argc != 3 || pb_file_read(argv[1], 1 << 20, &buf, &len, &e) != 0 ||
	    sim_tee_file_open(key, buf, len, &h, &pt, &e) != 0)
		return 1;
	return pb_atomic_write(argv[2], pt, h.n, 0600, &e);
}
C
cc -std=c11 -D_GNU_SOURCE -I"$top" -I/usr/include/bearssl -o open open.c "$lib" -l:libbearssl.a -lpthread
T=$PROVBOX_STATE/tee
both() { cp "$T/$1" "$c/$2/$3"; ./open "$T/$1" "$c/$2/$3.plain"; }

PROVBOX_SO_PIN=so-12345 pb tee init --label token0
both dirf.db tee_index fresh-token
PROVBOX_SO_PIN=so-12345 PROVBOX_NEW_PIN=1234 pb tee init-pin
both dirf.db tee_index user-pin
PROVBOX_PIN=1234 pb tee keygen --key tee:key0 --alg ec-p256
PROVBOX_PIN=1234 pb tee keygen --key tee:key1 --alg rsa-2048
both dirf.db tee_index two-keys
both obj.1 tee_object ec-p256
both obj.2 tee_object rsa-2048
PROVBOX_PIN=wrong pb tee list || true
both dirf.db tee_index wrong-pin
# broken: truncated, another kind, a flipped tag
head -c 30 "$T/dirf.db" > "$c/tee_index/truncated"
cp "$T/obj.1" "$c/tee_index/an-object"
cp "$T/dirf.db" "$c/tee_index/flipped-tag"
printf '\377' | dd of="$c/tee_index/flipped-tag" bs=1 seek=$(( $(wc -c < "$T/dirf.db") - 1 )) conv=notrunc 2>/dev/null
head -c 100 "$c/tee_object/ec-p256.plain" > "$c/tee_object/truncated.plain"
echo "tee corpora: $(ls "$c/tee_index" | wc -l) index, $(ls "$c/tee_object" | wc -l) object seeds"
