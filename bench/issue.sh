#!/bin/sh
# bench/issue.sh - certificate issuance speed: provbox against openssl.
#
# N (default 1000) P-256 CSRs on one P-256 CA (made by openssl), issued
#   1. by one `pki-gen issue` process for all (threads: --jobs default, the core count)
#   2. by one `openssl ca -batch -infiles` process for all
#   3. by one `openssl x509 -req` process per CSR, and by one `pki-gen issue`
#      process per CSR (on the first M CSRs, default 200: these are slow)
# and the ceiling BearSSL sets: each certificate costs one CSR verify and
# one sign; bench/p256_rate.c measures both per CPU-second with provbox's
# implementation choice (br_ec_p256_m31).
#
# Targets (issue 4): batch >= 1.5x openssl ca; >= 80% of the BearSSL
# ceiling per core; per-CSR pki-gen >= 10x per-CSR openssl x509 -req.
# Both tools write to the same directory: BENCH_DIR, default /dev/shm (a
# tmpfs, so that the file system's history does not decide the result).
# Wall-clock rates depend on what else runs: the CPU-time figures do not.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
PROVBOX=${PROVBOX:-$top/build/provbox}
N=${N:-1000}
M=${M:-200}
cores=$(nproc)
base=${BENCH_DIR:-/dev/shm}
[ -d "$base" ] && [ -w "$base" ] || base=${TMPDIR:-/tmp}
work=$(mktemp -d "$base/pb-bench-issue.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

now() { date +%s.%N; }
# timed LABEL CMD...: run, keep wall/user/sys seconds in $wall $cpu
timed() {
	label=$1; shift
	/usr/bin/time -f "%e %U %S" -o t.out "$@" > /dev/null 2> "$label.err" || { cat "$label.err" >&2; exit 1; }
	wall=$(awk '{print $1}' t.out); cpu=$(awk '{print $2 + $3}' t.out)
}
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

echo "bench/issue.sh: $N P-256 CSRs, one P-256 CA, $cores cores, in $base"

# --- the ceiling
cc -O2 -std=c11 -D_GNU_SOURCE -I"$top" -I/usr/include/bearssl -o p256_rate "$top/bench/p256_rate.c" \
	"$(dirname "$PROVBOX")/libprovbox.a" -l:libbearssl.a
./p256_rate > rate.out
sign=$(awk '/^sign/ {print $2+0}' rate.out); verify=$(awk '/^verify/ {print $2+0}' rate.out)
ceil=$(awk -v s="$sign" -v v="$verify" 'BEGIN { printf "%.0f", 1 / (1 / s + 1 / v) }')
echo "BearSSL P-256 (br_ec_p256_m31), per CPU-second: sign $sign/s, verify $verify/s"
echo "  ceiling: $ceil certificates/s per core (one verify + one sign each), $((ceil * cores)) on $cores cores"

# --- CA and CSRs
openssl genpkey -algorithm ec -pkeyopt ec_paramgen_curve:P-256 -out ca.key 2>/dev/null
openssl req -x509 -key ca.key -subj "/O=bench/CN=Bench Device CA" -days 30 -out ca.crt \
	-addext "basicConstraints=critical,CA:TRUE,pathlen:0" -addext "keyUsage=critical,keyCertSign,cRLSign"
mkdir csrs
start=$(now)
i=0
while [ $i -lt "$N" ]; do
	i=$((i + 1))
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null \
		-subj "/O=bench/CN=serial:2026-$(printf %06d $i)" -out "csrs/dev$(printf %06d $i).csr" 2>/dev/null
done
echo "  (made $N CSRs with openssl req in $(awk -v a="$start" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')s)"

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

# --- 1. one pki-gen process for all
timed pb "$PROVBOX" pki-gen issue --ca ca --csr csrs --profile device --days 365 --out pb-certs
pb_wall=$wall pb_cpu=$cpu
[ "$(ls pb-certs | wc -l)" -eq "$N" ] || { echo "pki-gen issued $(ls pb-certs | wc -l) of $N" >&2; exit 1; }
openssl verify -CAfile ca.crt pb-certs/dev000001.crt "pb-certs/dev$(printf %06d "$N").crt" > /dev/null

# --- 2. one openssl ca process for all
mkdir newcerts; : > index.txt; openssl rand -hex 16 > serial
timed ca openssl ca -config ca.cnf -batch -notext -out ca-certs.pem -infiles csrs/*.csr
ca_wall=$wall ca_cpu=$cpu
[ "$(ls newcerts | wc -l)" -eq "$N" ] || { echo "openssl ca issued $(ls newcerts | wc -l) of $N" >&2; exit 1; }

# --- 3. one process per CSR, on the first M
[ "$M" -le "$N" ] || M=$N
ls csrs | head -n "$M" > some.txt
mkdir x509-certs pb1-certs
per_csr_openssl() {
	while read -r f; do
		openssl x509 -req -in "csrs/$f" -CA ca.crt -CAkey ca.key -set_serial "0x$(openssl rand -hex 16)" \
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

pb_rate=$(rate "$N" "$pb_wall"); ca_rate=$(rate "$N" "$ca_wall")
pb_cpu_rate=$(rate "$N" "$pb_cpu"); ca_cpu_rate=$(rate "$N" "$ca_cpu")
x509_rate=$(rate "$M" "$x509_wall"); pb1_rate=$(rate "$M" "$pb1_wall")
per_core=$(awk -v r="$pb_rate" -v c="$cores" 'BEGIN { printf "%.0f", r / c }')

echo
printf '%-46s %8s %10s\n' "way" "certs/s" "certs/CPU-s"
printf '%-46s %8s %10s\n' "pki-gen issue, one process, --jobs $cores" "$pb_rate" "$pb_cpu_rate"
printf '%-46s %8s %10s\n' "openssl ca -batch -infiles, one process" "$ca_rate" "$ca_cpu_rate"
printf '%-46s %8s\n' "openssl x509 -req, one process per CSR ($M)" "$x509_rate"
printf '%-46s %8s\n' "pki-gen issue, one process per CSR ($M)" "$pb1_rate"
echo
echo "ratio pki-gen batch / openssl ca:             $(ratio "$pb_rate" "$ca_rate")x  (target >= 1.5x)"
echo "pki-gen batch per core / BearSSL ceiling:     $per_core / $ceil = $(awk -v a="$per_core" -v b="$ceil" 'BEGIN { printf "%.0f", 100 * a / b }')% wall-clock," \
	"$(awk -v a="$pb_cpu_rate" -v b="$ceil" 'BEGIN { printf "%.0f", 100 * a / b }')% per CPU-second  (target >= 80%)"
echo "ratio pki-gen per CSR / openssl x509 per CSR: $(ratio "$pb1_rate" "$x509_rate")x  (target >= 10x)"
load=$(cut -d' ' -f1 /proc/loadavg)
echo "(load average at the end: $load; other load on the $cores cores lowers the wall-clock figures)"
