#!/bin/sh
# Minimise fuzz/corpus/NAME (and add new units from extra directories, e.g.
# fuzz/corpus-new/NAME after `make fuzz`): hand-made and crafted seeds
# (any file not named by a 40-hex SHA-1) are always kept; fuzzer-made units
# only if they add an edge (-use_counters=0) the kept ones miss.
# Usage: make fuzzers && fuzz/minimize-corpus.sh NAME [EXTRA_DIR...]
set -eu
n=$1; shift
top=$(cd "$(dirname "$0")/.." && pwd)
c=$top/fuzz/corpus/$n
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/keep" "$tmp/pool"
for f in "$c"/*; do
	b=$(basename "$f")
	if echo "$b" | grep -Eq '^[0-9a-f]{40}$'; then cp "$f" "$tmp/pool/"; else cp "$f" "$tmp/keep/"; fi
done
for d in "$@"; do cp "$d"/* "$tmp/pool/" 2>/dev/null || true; done
"$top/build/fuzz/fuzz_$n" -merge=1 -use_counters=0 -timeout=10 -rss_limit_mb=2048 "$tmp/keep" "$tmp/pool" \
	> "$tmp/log" 2>&1 || { tail -20 "$tmp/log"; exit 1; }
before=$(ls "$c" | wc -l)
rm -f "$c"/*
cp "$tmp/keep"/* "$c/"
echo "$n: $before -> $(ls "$c" | wc -l) files ($(tail -1 "$tmp/log"))"
