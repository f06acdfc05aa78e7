#!/bin/sh
# bench/verify.sh - certificate chain verifications per second: provbox
# `certstore verify` against `openssl verify`, on device certificates issued
# by the trust|me Device Sub CA (P-256), each checked up to the General Root
# CA (the device anchor): one process per certificate (PER, default 200
# certificates), and one process for many (MANY, default 2000) where the tool
# takes several certificates in one call (openssl verify does; certstore
# verify takes one, said in the output).
# Both check signatures, validity now, basicConstraints/pathlen and keyUsage;
# neither is asked for a purpose. Wall clock and CPU (user + system).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
PROVBOX=${PROVBOX:-$top/build/provbox}
[ -x /usr/bin/time ] || { echo "verify.sh: no /usr/bin/time (make bench-deps installs it)" >&2; exit 1; }
PER=${PER:-200}
MANY=${MANY:-2000}
base=${BENCH_DIR:-/dev/shm}
[ -d "$base" ] && [ -w "$base" ] || base=${TMPDIR:-/tmp}
work=$(mktemp -d "$base/pb-bench-verify.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
export PROVBOX_STATE="$work/state"
pb() { "$PROVBOX" "$@"; }

echo "### Chain verification (bench/verify.sh: P-256 device certificates, Device Sub CA -> General Root CA)"
echo
[ "$MANY" -ge "$PER" ] || MANY=$PER
pb pki-gen init --profile trustme --out pki --alg ec-p256 > /dev/null
# one CSR issued MANY times: MANY certificates (random serials), one batch
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null \
	-subj "/CN=serial:2026-0001" -out dev.csr 2> /dev/null
mkdir csrs
python3 - "$MANY" <<'EOP'
import os, sys
for i in range(int(sys.argv[1])):
    os.link("dev.csr", "csrs/dev%06d.csr" % (i + 1))
EOP
pb pki-gen issue --ca pki/dev_subca --csr csrs --profile device --days 365 --out certs > /dev/null
ls certs > all.txt
head -n "$PER" all.txt > some.txt
[ "$(wc -l < all.txt)" -eq "$MANY" ] || { echo "verify.sh: issued $(wc -l < all.txt) of $MANY" >&2; exit 1; }

certstore=0
if pb --list | grep -qx certstore; then
	certstore=1
	pb certstore add --kind device pki/gen_rootca.crt > /dev/null
fi

# timed LABEL CMD...: wall and CPU seconds into $wall $cpu
timed() {
	label=$1; shift
	/usr/bin/time -f "%e %U %S" -o t.out "$@" > "$label.out" 2>&1 || { cat "$label.out" >&2; exit 1; }
	wall=$(awk '{ print $1 }' t.out); cpu=$(awk '{ print $2 + $3 }' t.out)
}
rate() { awk -v n="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.0f", n / s; else printf "-" }'; }  # -: below time's resolution

# the per-process loops, as scripts of their own, so that time(1) sees all their children
cat > per-openssl.sh <<'EOT'
while read -r f; do
	openssl verify -CAfile pki/gen_rootca.crt -untrusted pki/dev_subca.crt "certs/$f" > /dev/null || exit 1
done < some.txt
EOT
cat > per-provbox.sh <<'EOT'
while read -r f; do
	"$PROVBOX" certstore verify --kind device "certs/$f" --chain pki/dev_subca.crt > /dev/null || exit 1
done < some.txt
EOT
export PROVBOX

echo "| way | certificates | verifications/s (wall) | per CPU-second |"
echo "|---|---:|---:|---:|"
timed os1 sh per-openssl.sh
os1_rate=$(rate "$PER" "$wall")
echo "| openssl verify, one process per certificate | $PER | $os1_rate | $(rate "$PER" "$cpu") |"
if [ "$certstore" = 1 ]; then
	timed pb1 sh per-provbox.sh
	pb1_rate=$(rate "$PER" "$wall")
	echo "| provbox certstore verify, one process per certificate | $PER | $pb1_rate | $(rate "$PER" "$cpu") |"
fi
# shellcheck disable=SC2046
timed osn openssl verify -CAfile pki/gen_rootca.crt -untrusted pki/dev_subca.crt $(sed 's|^|certs/|' all.txt)
[ "$(grep -c ': OK$' osn.out)" -eq "$MANY" ] || { echo "verify.sh: openssl verify did not say OK $MANY times" >&2; exit 1; }
echo "| openssl verify, one process for all | $MANY | $(rate "$MANY" "$wall") | $(rate "$MANY" "$cpu") |"
if [ "$certstore" = 1 ]; then
	echo "| provbox certstore verify, one process for all | - | n/a: takes one certificate per call | |"
fi
echo

# a certificate of another CA is refused by both (so that the loops above measured real checks)
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout other.key -subj /CN=other \
	-days 30 -out other.crt 2> /dev/null
if openssl verify -CAfile pki/gen_rootca.crt -untrusted pki/dev_subca.crt other.crt > /dev/null 2>&1; then
	echo "verify.sh: openssl verify accepted a foreign certificate" >&2; exit 1
fi
if [ "$certstore" = 1 ]; then
	rc=0; pb certstore verify --kind device other.crt --chain pki/dev_subca.crt > /dev/null 2>&1 || rc=$?
	[ "$rc" = 5 ] || { echo "verify.sh: certstore verify of a foreign certificate exited $rc, not 5" >&2; exit 1; }
	echo "Per process: provbox certstore verify / openssl verify = $(awk -v a="$pb1_rate" -v b="$os1_rate" \
		'BEGIN { printf "%.1f", a / b }')x."
else
	echo "This provbox has no certstore applet (not on main yet): openssl verify only."
fi
echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
