#!/bin/sh
# bench/run.sh - `make bench`: every benchmark in one run; their figures go
# to the terminal and to bench/results.md, the per-step plot of the flow to
# bench/flow.png (gnuplot). Sizes: the scripts' defaults, or the environment
# (N for flow.sh, SIZES for issue.sh, PER and MANY for verify.sh, RUNS for
# tpm.sh). OUT and PLOT change where the results go.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
: "${PROVBOX:=$top/build/provbox}"
: "${PROVBOX_TARGET:=$top/build/target/provbox}"
OUT=${OUT:-$here/results.md}
PLOT=${PLOT:-$here/flow.png}
export PROVBOX PROVBOX_TARGET
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pb-bench-run.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

BENCH_TARGETS=$tmp/targets
export BENCH_TARGETS
: > "$BENCH_TARGETS"
# the machine's busy CPU time (ticks of every state but idle and iowait)
busy() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }
busy0=$(busy)
load0=$(cut -d' ' -f1-3 /proc/loadavg)
start=$(date -u '+%Y-%m-%d %H:%M UTC')
t0=$(date +%s)
# run NAME CMD...: its output to the terminal and to $tmp/NAME.md
run() {
	name=$1; shift
	echo "==> bench/$name.sh" >&2
	"$@" > "$tmp/$name.md" || { cat "$tmp/$name.md"; echo "bench/$name.sh failed" >&2; exit 1; }
	cat "$tmp/$name.md" >&2
	echo >&2
}
run flow env PLOT="$tmp/flow.png" "$here/flow.sh"
run issue "$here/issue.sh"
run verify "$here/verify.sh"
run size "$here/size.sh"
run tpm "$here/tpm.sh"
load1=$(cut -d' ' -f1-3 /proc/loadavg)
busy1=$(busy)
secs=$(( $(date +%s) - t0 ))
# what the benchmarks used (their processes, all waited for) against what the
# machine was busy with: the rest was other people's work during the run
times > "$tmp/times"
ours=$(awk 'NR == 2 { for (i = 1; i <= 2; i++) { sub(/s$/, "", $i); split($i, a, "m"); s += a[1] * 60 + a[2] } } END { print s + 0 }' "$tmp/times")
others=$(awk -v b0="$busy0" -v b1="$busy1" -v hz="$(getconf CLK_TCK)" -v o="$ours" \
	'BEGIN { x = (b1 - b0) / hz - o; printf "%.0f", (x > 0 ? x : 0) }')
others_pct=$(awk -v x="$others" -v t="$secs" -v c="$(nproc)" 'BEGIN { printf "%.0f", (t > 0 ? 100 * x / (t * c) : 0) }')

ver() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo '?'; }
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
os=$(. /etc/os-release && echo "$PRETTY_NAME")
{
	echo "# provbox benchmarks"
	echo
	echo "Made by \`make bench\` (bench/run.sh) on $start in ${secs} s: provbox $("$PROVBOX" --version | cut -d' ' -f2-)."
	echo "Every figure below comes from that one run; run \`make bench\` to get yours."
	echo
	echo "| | |"
	echo "|---|---|"
	echo "| machine | $cpu, $(nproc) cores, $mem, $os, Linux $(uname -r) |"
	echo "| load average (1, 5, 15 min) | before $load0, after $load1 (after: the benchmarks' own load too) |"
	echo "| other work during the run | ${others} CPU-seconds of other processes, ${others_pct}% of the $(nproc) cores over the ${secs} s (busy time in /proc/stat minus the benchmarks' own) |"
	echo "| peers | OpenSSL $(openssl version | cut -d' ' -f2), tpm2-tools $(ver tpm2-tools), tpm2-openssl $(ver tpm2-openssl), swtpm $(ver swtpm), libtpms $(ver libtpms0), tpm2-tss $(ver libtss2-esys-3.0.2-0), efitools $(ver efitools) |"
	echo "| provbox | BearSSL $(ver libbearssl-dev), $(gcc --version | head -n 1) |"
	echo "| files | every benchmark works in a tmpfs (${BENCH_DIR:-/dev/shm}): flushes to a shared disk would be noise; on a device's flash provbox's atomic writes (fsync) and swtpm's NV writes cost more |"
	echo
	if [ "$others_pct" -ge 10 ] || awk -v l="${load0%% *}" -v c="$(nproc)" 'BEGIN { exit !(l >= c / 2) }'; then
		echo "**The machine was loaded** (the table above; other jobs shared its $(nproc) cores): wall-clock"
		echo "figures are lower than on an idle machine, for both sides; the CPU-time figures are less affected."
		echo "Both sides of each comparison ran in the same minutes, alternating where the script says so."
		echo
	fi
	echo "## Targets"
	echo
	echo "Set by issue 15 (and issue 4 for issuance); a target missed is printed as MISSED."
	echo
	echo "| target | figure | |"
	echo "|---|---|---|"
	sed 's/| met |$/| met |/; s/| MISSED |$/| **MISSED** |/' "$BENCH_TARGETS"
	echo
	echo "## The flow: one device's provisioning"
	echo
	echo "![per-step time, provbox and the peer way](flow.png)"
	echo
	sed 1,2d "$tmp/flow.md" | grep -v '^(plot:'
	echo
	echo "## Issuance"
	echo
	sed 1,2d "$tmp/issue.md"
	echo
	echo "## Chain verification"
	echo
	sed 1,2d "$tmp/verify.md"
	echo
	echo "## Size and memory"
	echo
	sed 1,2d "$tmp/size.md"
	echo
	echo "## TPM key + CSR alone (bench/tpm.sh)"
	echo
	echo '```'
	cat "$tmp/tpm.md"
	echo '```'
} > "$tmp/results.md"
mv "$tmp/results.md" "$OUT"
mv "$tmp/flow.png" "$PLOT"
echo "bench/run.sh: wrote $OUT and $PLOT in ${secs} s" >&2
