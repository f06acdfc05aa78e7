#!/bin/sh
# bench/tpm.sh - a device key created in a TPM and persisted, plus its CSR:
# provbox with the in-process simulated TPM (one process) against the
# tpm2-tools flow (createprimary, create, load, evictcontrol, flushcontext)
# + `openssl req` with the tpm2 provider, over swtpm. Each run replaces the
# key at 0x81000002. Prints both medians and the ratio; target >= 5x.
# RUNS=N to change the number of runs (default 21).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
PROVBOX=${PROVBOX:-$root/build/provbox}
# in a tmpfs as the other benchmarks (BENCH_DIR): disk flushes of a shared machine are noise
base=${BENCH_DIR:-/dev/shm}
[ -d "$base" ] && [ -w "$base" ] || base=${TMPDIR:-/tmp}
PB_WORK=$(mktemp -d "$base/pb-bench-tpm.XXXXXX")
PB_TESTS="$root/tests"
export PB_WORK PB_TESTS
. "$root/tests/e2e/lib.sh"
. "$root/tests/e2e/lib-swtpm.inc"
needs_cmd swtpm tpm2_createprimary tpm2_create tpm2_load tpm2_evictcontrol tpm2_flushcontext openssl
RUNS=${RUNS:-21}
cd "$PB_WORK"
start_swtpm "$PB_WORK/swtpm"
cleanup() { stop_swtpm; rm -rf "$PB_WORK"; }
trap cleanup EXIT
export TPM2OPENSSL_TCTI="$TPM2TOOLS_TCTI"

provbox_flow() {
	pb csr --key tpm:0x81000002 --create --force --subject /CN=serial:bench --out pb.csr
}

tools_flow() {
	tpm2_evictcontrol -C o -c 0x81000002 > /dev/null 2>&1 || true   # the previous run's key
	tpm2_createprimary -C o -G ecc -c prim.ctx > /dev/null
	tpm2_flushcontext -t   # no resource manager in front of swtpm
	tpm2_create -C prim.ctx -G ecc256:ecdsa-sha256 -u key.pub -r key.priv > /dev/null
	tpm2_flushcontext -t
	tpm2_load -C prim.ctx -u key.pub -r key.priv -c key.ctx > /dev/null
	tpm2_evictcontrol -C o -c key.ctx 0x81000002 > /dev/null
	tpm2_flushcontext -t
	openssl req -new -provider tpm2 -provider default -key handle:0x81000002 \
		-subj /CN=serial:bench -out tools.csr
}

# median_ms FLOW: run it RUNS times, print the median wall time in ms
median_ms() {
	"$1"   # warm-up: state manufactured, a key in place to replace
	for _i in $(seq "$RUNS"); do
		s=$(date +%s%N)
		"$1"
		t=$(date +%s%N)
		echo $(((t - s) / 1000))
	done | sort -n | awk '{ a[NR] = $1 } END { printf "%.1f\n", a[int((NR + 1) / 2)] / 1000 }'
}

pb_ms=$(median_ms provbox_flow)
tools_ms=$(median_ms tools_flow)
for f in pb.csr tools.csr; do
	openssl req -in "$f" -verify -noout 2>&1 | grep -q "verify OK" || fail "bench produced a bad CSR: $f"
done
echo "bench tpm: EC P-256 key created in a TPM, persisted, CSR signed by it (median of $RUNS)"
printf '  %-58s %8s ms\n' "provbox csr --create (--tpm sim, in-process libtpms)" "$pb_ms"
printf '  %-58s %8s ms\n' "tpm2-tools + openssl req -provider tpm2 (swtpm)" "$tools_ms"
awk -v a="$pb_ms" -v b="$tools_ms" 'BEGIN {
	r = b / a; printf "  ratio: %.1fx (target >= 5x): %s\n", r, (r >= 5 ? "met" : "MISSED") }'
[ -z "${BENCH_TARGETS:-}" ] || awk -v a="$pb_ms" -v b="$tools_ms" 'BEGIN { r = b / a
	printf "| tpm: key + CSR, provbox --tpm sim >= 5x tpm2-tools + openssl (median) | %.1fx | %s |\n", r, (r >= 5 ? "met" : "MISSED") }' \
	>> "$BENCH_TARGETS"
