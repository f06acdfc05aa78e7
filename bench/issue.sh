#!/bin/sh
# bench/issue.sh - certificate issuance speed and memory: provbox against openssl.
#
# A scale sweep, SIZES (default "200 2000 20000") P-256 CSRs on one P-256
# CA (made by openssl), issued at each size
#   1. by one `pki-gen issue` process for all (threads: --jobs default, the core count)
#   2. by one `openssl ca -batch -infiles` process for all
# with certificates/s (wall and per CPU-second) and the peak RSS of each;
#   3. by one `openssl x509 -req` process per CSR, and by one `pki-gen issue`
#      process per CSR (on the first M CSRs, default 200: these are slow)
# and the ceiling BearSSL sets: each certificate costs one CSR verify and
# one sign; bench/p256_rate.c measures both per CPU-second with provbox's
# implementation choice (br_ec_p256_m31).
# DISTINCT (default 200) different CSRs are made with `openssl req` (one
# process each, slow); a size above that repeats them under new file names
# (hard links): each file is still parsed, verified and issued on its own.
# SIZES="200 2000" leaves out the largest size when time is short.
#
# Targets: batch >= 1.5x openssl ca and >= 80% of the BearSSL ceiling per
# core, per-CSR pki-gen >= 10x per-CSR openssl x509 -req (issue 4); batch
# memory flat from 2000 to 20000 CSRs (issue 15: peak RSS at the largest
# size at most 1.25x that at 2000).
# Both tools write to the same directory: BENCH_DIR, default /dev/shm (a
# tmpfs, so that the file system's history does not decide the result).
# Wall-clock rates depend on what else runs: the CPU-time figures do not.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
PROVBOX=${PROVBOX:-$top/build/provbox}
SIZES=${SIZES:-200 2000 20000}
DISTINCT=${DISTINCT:-200}
M=${M:-200}
cores=$(nproc)
[ -x /usr/bin/time ] || { echo "issue.sh: no /usr/bin/time (make bench-deps installs it)" >&2; exit 1; }
base=${BENCH_DIR:-/dev/shm}
[ -d "$base" ] && [ -w "$base" ] || base=${TMPDIR:-/tmp}
work=$(mktemp -d "$base/pb-bench-issue.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

now() { date +%s.%N; }
# timed LABEL CMD...: run, keep wall/user/sys seconds in $wall $cpu
timed() {
	label=$1; shift
	/usr/bin/time -f "%e %U %S %M" -o t.out "$@" > /dev/null 2> "$label.err" || { cat "$label.err" >&2; exit 1; }
	wall=$(awk '{print $1}' t.out); cpu=$(awk '{print $2 + $3}' t.out); rss=$(awk '{print $4}' t.out)
}
rate() { awk -v n="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.0f", n / s; else printf "-" }'; }  # -: below time's resolution
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

max=0; for n in $SIZES; do [ "$n" -gt "$max" ] && max=$n; done
[ "$DISTINCT" -le "$max" ] || DISTINCT=$max
echo "### Certificate issuance (bench/issue.sh: P-256 CSRs on one P-256 CA, $cores cores, in $base)"
echo
# --- the ceiling
cc -O2 -std=c11 -D_GNU_SOURCE -I"$top" -I/usr/include/bearssl -o p256_rate "$top/bench/p256_rate.c" \
	"$(dirname "$PROVBOX")/libprovbox.a" -l:libbearssl.a
./p256_rate > rate.out
sign=$(awk '/^sign/ {print $2+0}' rate.out); verify=$(awk '/^verify/ {print $2+0}' rate.out)
ceil=$(awk -v s="$sign" -v v="$verify" 'BEGIN { printf "%.0f", 1 / (1 / s + 1 / v) }')
echo "BearSSL P-256 (br_ec_p256_m31), per CPU-second: sign $sign/s, verify $verify/s;"
echo "ceiling: $ceil certificates/s per core (one verify + one sign each), $((ceil * cores)) on $cores cores."
echo

# --- CA and CSRs
openssl genpkey -algorithm ec -pkeyopt ec_paramgen_curve:P-256 -out ca.key 2>/dev/null
openssl req -x509 -key ca.key -subj "/O=bench/CN=Bench Device CA" -days 3650 -out ca.crt \
	-addext "basicConstraints=critical,CA:TRUE,pathlen:0" -addext "keyUsage=critical,keyCertSign,cRLSign"
mkdir csrs
start=$(now)
i=0
while [ $i -lt "$DISTINCT" ]; do
	i=$((i + 1))
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null \
		-subj "/O=bench/CN=serial:2026-$(printf %06d $i)" -out "csrs/dev$(printf %06d $i).csr" 2>/dev/null
done
echo "($DISTINCT distinct CSRs made with openssl req in $(awk -v a="$start" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }') s.)"
echo
# csrs-N: N files, dev000001.csr ..., the distinct ones repeated (hard links)
mkset() {
	mkdir "csrs-$1"
	python3 - "$1" "$DISTINCT" <<'EOP'
import os, sys
n, d = int(sys.argv[1]), int(sys.argv[2])
for i in range(n):
    os.link("csrs/dev%06d.csr" % (i % d + 1), "csrs-%d/dev%06d.csr" % (n, i + 1))
EOP
}

# the same extensions for openssl as pki-gen's device profile
cat > dev.ext <<EOT
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOT
cat > ca.cnf <<EOT
[ ca ]
default_ca = bench
[ bench ]
database = index.txt
new_certs_dir = newcerts
serial = serial
private_key = ca.key
certificate = ca.crt
default_md = sha256
default_days = 365
policy = any
unique_subject = no
x509_extensions = dev
[ any ]
commonName = supplied
[ dev ]
$(cat dev.ext)
EOT

# --- 1. and 2. at each size: one pki-gen process for all, one openssl ca process for all
printf '| CSRs | pki-gen issue certs/s | certs/CPU-s | peak RSS KiB | openssl ca certs/s | certs/CPU-s | peak RSS KiB | pki-gen / openssl ca |\n'
printf '|---:|---:|---:|---:|---:|---:|---:|---:|\n'
for n in $SIZES; do
	mkset "$n"
	rm -rf pb-certs; timed pb "$PROVBOX" pki-gen issue --ca ca --csr "csrs-$n" --profile device --days 365 --out pb-certs
	pb_wall=$wall pb_cpu=$cpu pb_rss=$rss
	[ "$(ls pb-certs | wc -l)" -eq "$n" ] || { echo "pki-gen issued $(ls pb-certs | wc -l) of $n" >&2; exit 1; }
	openssl verify -CAfile ca.crt pb-certs/dev000001.crt "pb-certs/dev$(printf %06d "$n").crt" > /dev/null
	rm -rf newcerts; mkdir newcerts; : > index.txt; openssl rand -hex 16 > serial
	# (the list of files through a shell glob: 20000 names fit in ARG_MAX)
	timed ca openssl ca -config ca.cnf -batch -notext -out ca-certs.pem -infiles csrs-"$n"/*.csr
	ca_wall=$wall ca_cpu=$cpu ca_rss=$rss
	[ "$(ls newcerts | wc -l)" -eq "$n" ] || { echo "openssl ca issued $(ls newcerts | wc -l) of $n" >&2; exit 1; }
	rm -rf "csrs-$n" newcerts ca-certs.pem
	pb_rate=$(rate "$n" "$pb_wall"); ca_rate=$(rate "$n" "$ca_wall")
	printf '| %s | %s | %s | %s | %s | %s | %s | %sx |\n' "$n" "$pb_rate" "$(rate "$n" "$pb_cpu")" "$pb_rss" \
		"$ca_rate" "$(rate "$n" "$ca_cpu")" "$ca_rss" "$(ratio "$pb_rate" "$ca_rate")"
	echo "$n $pb_rate $(rate "$n" "$pb_cpu") $pb_rss $ca_rate $ca_rss" >> sweep.dat
done
echo

# --- 3. one process per CSR, on the first M
[ "$M" -le "$DISTINCT" ] || M=$DISTINCT
ls csrs | head -n "$M" > some.txt
mkdir x509-certs pb1-certs
# (no -set_serial: openssl x509 makes a random serial itself when there is no serial file)
per_csr_openssl() {
	while read -r f; do
		openssl x509 -req -in "csrs/$f" -CA ca.crt -CAkey ca.key \
			-days 365 -extfile dev.ext -out "x509-certs/$f.crt" 2>/dev/null
	done < some.txt
}
per_csr_provbox() {
	while read -r f; do
		"$PROVBOX" pki-gen issue --ca ca --csr "csrs/$f" --profile device --days 365 --out "pb1-certs/$f.crt"
	done < some.txt
}
start=$(now); per_csr_openssl; x509_wall=$(awk -v a="$start" -v b="$(now)" 'BEGIN { print b - a }')
start=$(now); per_csr_provbox; pb1_wall=$(awk -v a="$start" -v b="$(now)" 'BEGIN { print b - a }')
[ ! -e ca.srl ] || { echo "openssl x509 wrote a serial file: serials were not random" >&2; exit 1; }
x509_rate=$(rate "$M" "$x509_wall"); pb1_rate=$(rate "$M" "$pb1_wall")
printf '| one process per CSR (%s CSRs) | certs/s |\n|---|---:|\n' "$M"
printf '| openssl x509 -req | %s |\n| pki-gen issue | %s |\n\n' "$x509_rate" "$pb1_rate"

# the targets, at the largest size
read -r n_max pb_rate pb_cpu_rate pb_rss_max ca_rate _ <<EOT
$(sort -n sweep.dat | tail -n 1)
EOT
rss_2000=$(awk '$1 == 2000 { print $4 }' sweep.dat)
per_core=$(awk -v r="$pb_rate" -v c="$cores" 'BEGIN { printf "%.0f", r / c }')
# target WHAT FIGURE VERDICT: one line for the summary of make bench (bench/run.sh)
target() { [ -z "${BENCH_TARGETS:-}" ] || printf '| %s | %s | %s |\n' "$1" "$2" "$3" >> "$BENCH_TARGETS"; }
met() { awk -v a="$1" -v t="$2" 'BEGIN { print (a >= t ? "met" : "MISSED") }'; }
r=$(ratio "$pb_rate" "$ca_rate")
echo "| target | figure | |"
echo "|---|---|---|"
t1="pki-gen batch >= 1.5x openssl ca ($n_max CSRs)"; echo "| $t1 | ${r}x | $(met "$r" 1.5) |"; target "issue: $t1" "${r}x" "$(met "$r" 1.5)"
pct_wall=$(awk -v a="$per_core" -v b="$ceil" 'BEGIN { printf "%.0f", 100 * a / b }')
pct_cpu=$(awk -v a="$pb_cpu_rate" -v b="$ceil" 'BEGIN { printf "%.0f", 100 * a / b }')
t1="pki-gen batch >= 80% of the BearSSL ceiling per core"; f1="$pct_cpu% per CPU-second ($pct_wall% wall-clock per core)"
echo "| $t1 | $f1 | $(met "$pct_cpu" 80) |"; target "issue: $t1" "$f1" "$(met "$pct_cpu" 80)"
r=$(ratio "$pb1_rate" "$x509_rate")
t1="pki-gen per CSR >= 10x openssl x509 -req per CSR"; echo "| $t1 | ${r}x | $(met "$r" 10) |"; target "issue: $t1" "${r}x" "$(met "$r" 10)"
if [ -n "$rss_2000" ] && [ "$n_max" -gt 2000 ]; then
	g=$(ratio "$pb_rss_max" "$rss_2000")
	t1="pki-gen batch memory flat, 2000 -> $n_max CSRs (peak RSS <= 1.25x)"; f1="$rss_2000 -> $pb_rss_max KiB (${g}x)"
	v=$(awk -v g="$g" 'BEGIN { print (g <= 1.25 ? "met" : "MISSED") }')
	echo "| $t1 | $f1 | $v |"; target "issue: $t1" "$f1" "$v"
else
	echo "| pki-gen batch memory flat, 2000 -> 20000 CSRs | not measured (SIZES=\"$SIZES\") | not measured |"
	target "issue: pki-gen batch memory flat, 2000 -> 20000 CSRs" "not measured (SIZES=\"$SIZES\")" "not measured"
fi
echo
load=$(cut -d' ' -f1-3 /proc/loadavg)
echo "Load average at the end: $load (other load on the $cores cores lowers the wall-clock figures, not the per-CPU-second ones)."
