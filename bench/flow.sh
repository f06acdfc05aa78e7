#!/bin/bash
# bench/flow.sh - one device's whole trust|me provisioning, done three ways in
# one run, alternating, N times (default 10):
#   (a) peer:   openssl (customer PKI, CSR signing, chain check, PKCS#12
#               softtoken and its PIN change), efitools (the db ESL),
#               tpm2-tools + openssl's tpm2 provider (TPM key, persistent
#               handle, CSR) over a swtpm started here on a free loopback port
#   (b) provbox --tpm swtpm:  against the same swtpm
#   (c) provbox --tpm sim:    libtpms in-process
# Steps, the same work each way (every run starts from an empty directory
# and, for provbox, an empty state directory; the TPM is the same one across
# runs, so the key left at 0x81000002 by the previous run is replaced):
#   pki      two roots, three sub CAs, the ESL of the Software Signing Sub CA
#   lifecycle  provisioning mode, in TPM NV (after the first run: already)  [lifecycle]
#   anchors  the trust anchors in place (certstore add | cp)       [certstore]
#   tpm-csr  a P-256 key made in the TPM, persisted at 0x81000002, its CSR
#   issue    the Device Sub CA checks the CSR and issues the certificate
#   verify   the device certificate's chain to the device anchor   [certstore]
#   install  the certificate is the TPM key's, then in place        [certstore]
#   token    softtoken: key pair + self-signed cert in a PKCS#12 file, PIN
#   pin      the token's PIN change
# [certstore], [lifecycle]: only when this provbox has that applet; without it
# these steps are left out of every way (said in the output). Completing
# provisioning (secured) is left out: a TPM takes it only once.
# Times: wall clock of the whole run; CPU = user + system of every process of
# the way (getrusage of the waited-for children) plus the swtpm's own CPU
# during the run for (a) and (b). Processes: programs exec'd in one extra run
# under strace -f (the timed runs are not traced).
# Env: N (runs), PROVBOX, PLOT=FILE.png (gnuplot: per-step median times),
# BENCH_DIR (default /dev/shm).
set -eu

# ------------------------------------------------------------- one run of one way
# bash flow.sh --run WAY DIR: the timed child; writes DIR/steps (step ms) and
# DIR/times.out (bash's times: user and system time of itself and its children).
if [ "${1:-}" = --run ]; then
	way=$2 dir=$(cd "$3" && pwd)
	cd "$dir"
	t0=$EPOCHREALTIME
	: > steps
	step() {   # step NAME: close the previous step, open the next
		local t=$EPOCHREALTIME
		[ -z "${cur:-}" ] || echo "$cur ${t/./} ${t0/./}" >> steps
		cur=$1 t0=$t
	}
	pb() { "$PROVBOX" "$@"; }
	if [ "$way" = peer ]; then
		step pki
		ca() {   # ca NAME CN PATHLEN [ISSUER]
			openssl req -x509 -config "$BENCH_CNF" -extensions "ca$3" -newkey ec \
				-pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "pki/$1.key" -out "pki/$1.crt" \
				-subj "/O=bench/CN=$2" -days 3650 ${4:+-CA "pki/$4.crt" -CAkey "pki/$4.key"} 2>/dev/null
		}
		mkdir pki
		ca ssig_rootca "Software Signing Root CA" 1
		ca ssig_subca "Software Signing Sub CA" 0 ssig_rootca
		ca gen_rootca "General Root CA" 1
		ca guestos_subca "GuestOS Signing Sub CA" 0 gen_rootca
		ca dev_subca "Device Sub CA" 0 gen_rootca
		cert-to-efi-sig-list pki/ssig_subca.crt pki/ssig_subca.esl > /dev/null
		sha256sum pki/ssig_subca.esl > /dev/null
		if [ "$LIFECYCLE" = 1 ]; then
			# provisioning mode as a write-once NV index holding the PSA value, made
			# once (an index of its own: 0x01500002, beside provbox's)
			step lifecycle
			# (tpm2_getcap: tpm2_nvreadpublic of a missing index crashes in tpm2-tools 5.4)
			if ! tpm2_getcap handles-nv-index | grep -q 0x1500002; then
				tpm2_nvdefine 0x01500002 -C o -s 4 -a "ownerwrite|ownerread|authread|no_da|writedefine" > /dev/null
				printf '\000\000\040\000' | tpm2_nvwrite 0x01500002 -C o -i - > /dev/null
				tpm2_nvwritelock 0x01500002 -C o > /dev/null
			fi
		fi
		if [ "$CERTSTORE" = 1 ]; then
			step anchors
			mkdir -p trust/software trust/guestos trust/device
			cp pki/ssig_rootca.crt trust/software/
			cp pki/gen_rootca.crt trust/guestos/
			cp pki/gen_rootca.crt trust/device/
		fi
		step tpm-csr
		tpm2_evictcontrol -C o -c 0x81000002 > /dev/null 2>&1 || true   # the previous run's key
		tpm2_createprimary -C o -G ecc -c prim.ctx > /dev/null
		tpm2_flushcontext -t   # no resource manager in front of swtpm
		tpm2_create -C prim.ctx -G ecc256:ecdsa-sha256 -u key.pub -r key.priv > /dev/null
		tpm2_flushcontext -t
		tpm2_load -C prim.ctx -u key.pub -r key.priv -c key.ctx > /dev/null
		tpm2_evictcontrol -C o -c key.ctx 0x81000002 > /dev/null
		tpm2_flushcontext -t
		openssl req -new -provider tpm2 -provider default -key handle:0x81000002 \
			-subj "/CN=serial:2026-0001" -out dev.csr
		step issue
		openssl x509 -req -in dev.csr -CA pki/dev_subca.crt -CAkey pki/dev_subca.key -days 365 \
			-extfile "$BENCH_EXT" -out dev.crt 2>/dev/null
		if [ "$CERTSTORE" = 1 ]; then
			step verify
			openssl verify -CAfile trust/device/gen_rootca.crt -untrusted pki/dev_subca.crt dev.crt > /dev/null
			step install
			tpm2_readpublic -c 0x81000002 -f pem -o tpm.pub > /dev/null
			openssl x509 -in dev.crt -pubkey -noout -out dev.pub
			cmp -s tpm.pub dev.pub
			cp dev.crt pki/dev_subca.crt trust/
		fi
		step token
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout tok.key \
			-out tok.crt -subj "/CN=device token" -days 3650 2>/dev/null
		PIN=trustme openssl pkcs12 -export -inkey tok.key -in tok.crt -passout env:PIN -out device.p12
		rm -f tok.key
		step pin
		# (export cannot take key and certificate from one pipe: it reads its input twice)
		PIN=trustme openssl pkcs12 -in device.p12 -passin env:PIN -nodes -out tok.pem
		NEWPIN=bench-pin-2026 openssl pkcs12 -export -in tok.pem -passout env:NEWPIN -out device.p12.new
		rm -f tok.pem
		mv device.p12.new device.p12
	else
		tpm=$SWTPM_URI
		[ "$way" = sim ] && tpm=sim
		export PROVBOX_STATE="$dir/state"
		step pki
		pb pki-gen init --profile trustme --out pki --alg ec-p256 > /dev/null
		if [ "$LIFECYCLE" = 1 ]; then
			step lifecycle
			pb lifecycle advance --tpm "$tpm" provisioning > /dev/null
		fi
		if [ "$CERTSTORE" = 1 ]; then
			step anchors
			pb certstore add --tpm "$tpm" --kind software pki/ssig_rootca.crt > /dev/null
			pb certstore add --tpm "$tpm" --kind guestos pki/gen_rootca.crt > /dev/null
			pb certstore add --tpm "$tpm" --kind device pki/gen_rootca.crt > /dev/null
		fi
		step tpm-csr
		pb csr --tpm "$tpm" --key tpm:0x81000002 --create --force --subject "/CN=serial:2026-0001" --out dev.csr
		step issue
		pb pki-gen issue --ca pki/dev_subca --csr dev.csr --profile device --days 365 --out dev.crt
		if [ "$CERTSTORE" = 1 ]; then
			step verify
			pb certstore verify --tpm "$tpm" --kind device dev.crt --chain pki/dev_subca.crt > /dev/null
			step install
			pb certstore install --tpm "$tpm" --cert dev.crt --key tpm:0x81000002 --chain pki/dev_subca.crt > /dev/null
		fi
		step token
		PROVBOX_PIN=trustme pb token create --tpm "$tpm" > /dev/null
		step pin
		PROVBOX_PIN=trustme PROVBOX_NEW_PIN=bench-pin-2026 pb token change-pin > /dev/null
	fi
	step end
	# bash's times: "0m0.012s 0m0.004s" for the shell, then for its children
	# (not in a pipe: a subshell would report its own children, none)
	times > times.out
	exit 0
fi
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")

# ------------------------------------------------------------- the driver
PROVBOX=${PROVBOX:-$top/build/provbox}
N=${N:-10}
export PROVBOX
base=${BENCH_DIR:-/dev/shm}
[ -d "$base" ] && [ -w "$base" ] || base=${TMPDIR:-/tmp}
PB_WORK=$(mktemp -d "$base/pb-bench-flow.XXXXXX")
export PB_WORK
. "$top/tests/e2e/lib.sh"
. "$top/tests/e2e/lib-swtpm.inc"
needs_cmd swtpm openssl tpm2_createprimary tpm2_create tpm2_load tpm2_evictcontrol tpm2_flushcontext \
	tpm2_readpublic cert-to-efi-sig-list
cleanup() { stop_swtpm; [ -n "${BENCH_KEEP:-}" ] || rm -rf "$PB_WORK"; }
trap cleanup EXIT
cd "$PB_WORK"
start_swtpm "$PB_WORK/swtpm"
trap cleanup EXIT
export TPM2OPENSSL_TCTI="$TPM2TOOLS_TCTI" SWTPM_URI TPM2TOOLS_TCTI
CERTSTORE=0 LIFECYCLE=0
"$PROVBOX" --list | grep -qx certstore && CERTSTORE=1
"$PROVBOX" --list | grep -qx lifecycle && LIFECYCLE=1
export CERTSTORE LIFECYCLE

# What the peer scripts keep beside them (as provbox keeps its profiles).
export BENCH_CNF="$PB_WORK/ca.cnf" BENCH_EXT="$PB_WORK/dev.ext"
cat > "$BENCH_CNF" <<'EOT'
[ req ]
distinguished_name = dn
[ dn ]
[ ca1 ]
basicConstraints = critical,CA:TRUE,pathlen:1
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ ca0 ]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOT
cat > "$BENCH_EXT" <<'EOT'
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOT

# the swtpm's CPU time so far, ns (schedstat: nanoseconds, where stat has ticks)
cpu_ns() { cat /proc/"$SWTPM_PID"/task/*/schedstat | awk '{ s += $1 } END { printf "%d\n", s }'; }
ways="peer swtpm sim"

# one WAY DIR: a timed run; appends "wall cpu" to WAY.runs and the steps to WAY.steps
one() {
	rm -rf "$2"; mkdir -p "$2"
	if [ "$1" = sim ]; then   # the device's TPM exists already: its NV from the warm-up
		mkdir -m 0700 "$2/state" && cp -a "$SIM_TPM" "$2/state/tpm"
	fi
	local s0 t0 t1 s1
	s0=$(cpu_ns)
	t0=$EPOCHREALTIME
	bash ${BENCH_X:+-x} "$here/flow.sh" --run "$1" "$2" || { echo "flow.sh: the $1 way failed in $2" >&2; exit 1; }
	t1=$EPOCHREALTIME
	s1=$(cpu_ns)
	[ "$1" = sim ] && s1=$s0
	cpu=$(awk '{ for (i = 1; i <= 2; i++) { sub(/s$/, "", $i); split($i, a, "m"); s += a[1] * 60 + a[2] } }
		END { printf "%.4f\n", s }' "$2/times.out")
	echo "$(( ${t1/./} - ${t0/./} )) $cpu $(( s1 - s0 ))" >> "$1.runs"
	awk '{ printf "%s %.3f\n", $1, ($2 - $3) / 1000 }' "$2/steps" >> "$1.steps"
}

# warm-up, not counted: caches, the swtpm's first key; the sim TPM's NV
# (manufactured once, as a device's TPM is) is copied into each sim run
PROVBOX_STATE="$PB_WORK/tpl" "$PROVBOX" csr --tpm sim --key tpm:0x81000002 --create --force \
	--subject /CN=warm --out /dev/null
[ "$LIFECYCLE" = 0 ] || PROVBOX_STATE="$PB_WORK/tpl" "$PROVBOX" lifecycle advance --tpm sim provisioning > /dev/null
export SIM_TPM="$PB_WORK/tpl/tpm"
for w in $ways; do one "$w" "warm-$w"; done
rm -f ./*.runs ./*.steps

for _i in $(seq "$N"); do
	for w in $ways; do one "$w" "run-$w"; done
done

# The results are what each way should make: checked on the last run.
for w in $ways; do
	openssl verify -CAfile "run-$w/pki/gen_rootca.crt" -untrusted "run-$w/pki/dev_subca.crt" \
		"run-$w/dev.crt" > /dev/null || fail "$w: the device certificate does not verify"
	openssl pkcs12 -in "run-$w/$( [ $w = peer ] || echo state/tokens/)device.p12" -passin pass:bench-pin-2026 \
		-noout 2> /dev/null || fail "$w: the token does not open with the new PIN"
	openssl x509 -in "run-$w/dev.crt" -pubkey -noout > "$w.certpub"
done
tpm2_readpublic -c 0x81000002 -f pem -o tpm.pub > /dev/null
cmp -s tpm.pub swtpm.certpub || fail "swtpm: the certificate is not the TPM key's"

# processes: one more run of each way under strace
for w in $ways; do
	command -v strace > /dev/null || { echo "-" > "$w.procs"; continue; }
	rm -rf "proc-$w"; mkdir "proc-$w"
	[ "$w" != sim ] || { mkdir -m 0700 proc-sim/state && cp -a "$SIM_TPM" proc-sim/state/tpm; }
	strace -f -qq -e trace=execve -o "proc-$w.trace" bash "$here/flow.sh" --run "$w" "proc-$w"
	# the first exec is the traced bash itself; everything else is the way's
	echo $(( $(grep -c 'execve(.*= 0$\|execve resumed>.*= 0$' "proc-$w.trace") - 1 )) > "$w.procs"
done

# median min max of column C of FILE
stats() { awk -v c="$2" '{ print $c }' "$1" | sort -g | awk '{ a[NR] = $1 }
	END { m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; print m, a[1], a[NR] }'; }
declare -A wall cpu all
declare -A label=([peer]="(a) openssl + tpm2-tools + tpm2 provider, swtpm"
	[swtpm]="(b) provbox --tpm swtpm: (same swtpm)" [sim]="(c) provbox --tpm sim (libtpms in-process)")
echo "### One device's provisioning, three ways (bench/flow.sh, median of $N alternating runs)"
echo
echo "Steps: $(awk '{ print $1 }' peer.steps | awk '!s[$1]++' | paste -sd, - | sed 's/,/, /g')."
[ "$LIFECYCLE" = 1 ] || echo "This provbox has no lifecycle applet: the lifecycle step is left out of all ways."
[ "$CERTSTORE" = 1 ] || echo "This provbox has no certstore applet: the anchors, chain verification and certificate" \
	"install steps are left out of all ways."
echo "Left out of all ways: completing provisioning (lifecycle secured), which a TPM takes only once."
echo
echo "| way | wall ms median | min / max | CPU ms median | min / max | CPU ms incl. swtpm | processes |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for w in $ways; do
	# wall ms, cpu ms, cpu + swtpm ms
	awk '{ print $1 / 1000, $2 * 1000, $2 * 1000 + $3 / 1e6 }' "$w.runs" > "$w.t"
	read -r wm wlo whi < <(stats "$w.t" 1)
	read -r cm clo chi < <(stats "$w.t" 2)
	read -r am _ _ < <(stats "$w.t" 3)
	wall[$w]=$wm cpu[$w]=$cm all[$w]=$am
	printf '| %s | %.0f | %.0f / %.0f | %.0f | %.0f / %.0f | %.0f | %s |\n' "${label[$w]}" "$wm" "$wlo" "$whi" \
		"$cm" "$clo" "$chi" "$am" "$(cat "$w.procs")"
done
echo
# target WHAT FIGURE VERDICT: one line for the summary of make bench (bench/run.sh)
target() { [ -z "${BENCH_TARGETS:-}" ] || printf '| %s | %s | %s |\n' "$1" "$2" "$3" >> "$BENCH_TARGETS"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
verdict() { awk -v s="$1" -v t="$2" 'BEGIN { print (s >= t ? "met" : "MISSED") }'; }
r_sw=$(ratio "${wall[swtpm]}" "${wall[peer]}"); r_sim=$(ratio "${wall[sim]}" "${wall[peer]}")
x_sw=$(ratio "${wall[peer]}" "${wall[swtpm]}"); x_sim=$(ratio "${wall[peer]}" "${wall[sim]}")
c_sw=$(ratio "${all[peer]}" "${all[swtpm]}"); c_sim=$(ratio "${all[peer]}" "${all[sim]}")
printf '| ratio | wall (b or c)/(a) | faster, wall | faster, CPU incl. swtpm | target | |\n|---|---:|---:|---:|---|---|\n'
printf '| (b)/(a) provbox --tpm swtpm: | %.3f | %.1fx | %.1fx | >= 3x faster (wall) | %s |\n' \
	"$r_sw" "$x_sw" "$c_sw" "$(verdict "$x_sw" 3)"
printf '| (c)/(a) provbox --tpm sim | %.3f | %.1fx | %.1fx | >= 10x faster (wall) | %s |\n' \
	"$r_sim" "$x_sim" "$c_sim" "$(verdict "$x_sim" 10)"
target "flow: provbox --tpm swtpm: >= 3x faster than openssl + tpm2-tools (median wall)" \
	"$(printf '%.1fx (CPU incl. swtpm %.1fx)' "$x_sw" "$c_sw")" "$(verdict "$x_sw" 3)"
target "flow: provbox --tpm sim >= 10x faster than openssl + tpm2-tools (median wall)" \
	"$(printf '%.1fx (CPU %.1fx)' "$x_sim" "$c_sim")" "$(verdict "$x_sim" 10)"
echo

# per-step medians (ms), one row per step in flow order
steps=$(awk '{ print $1 }' peer.steps | awk '!s[$1]++')
{
	printf '# step'; for w in $ways; do printf ' %s' "$w"; done; echo
	for s in $steps; do
		printf '%s' "$s"
		for w in $ways; do
			awk -v s="$s" '$1 == s { print $2 }' "$w.steps" | sort -g |
				awk '{ a[NR] = $1 } END { printf " %.1f", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
		done
		echo
	done
	printf 'total %.1f %.1f %.1f\n' "${wall[peer]}" "${wall[swtpm]}" "${wall[sim]}"
} > steps.dat
echo "Per step, median wall ms:"
echo
echo "| step | (a) peer | (b) provbox swtpm | (c) provbox sim |"
echo "|---|---:|---:|---:|"
tail -n +2 steps.dat | awk '{ printf "| %s | %s | %s | %s |\n", $1, $2, $3, $4 }'
echo
echo "What each step runs (every run starts in an empty directory; provbox with an empty state directory):"
echo
echo "| step | (a) peer | (b), (c) provbox |"
echo "|---|---|---|"
echo "| pki | 5x \`openssl req -x509 -newkey ec\` (roots self-signed, sub CAs with \`-CA\`; extensions from a config file), \`cert-to-efi-sig-list\`, \`sha256sum\` | \`pki-gen init --profile trustme\` |"
if [ "$LIFECYCLE" = 1 ]; then
	echo "| lifecycle | \`tpm2_getcap handles-nv-index\`, \`grep\` (once: \`tpm2_nvdefine\`, \`tpm2_nvwrite\`, \`tpm2_nvwritelock\` of a write-once index) | \`lifecycle advance provisioning\` |"
fi
if [ "$CERTSTORE" = 1 ]; then
	echo "| anchors | \`mkdir\`, 3x \`cp\` into a trust directory | 3x \`certstore add --kind K\` |"
fi
echo "| tpm-csr | \`tpm2_evictcontrol\` (the previous key), \`tpm2_createprimary\`, \`tpm2_create\`, \`tpm2_load\`, \`tpm2_evictcontrol\`, 3x \`tpm2_flushcontext\`, \`openssl req -provider tpm2 -key handle:0x81000002\` | \`csr --key tpm:0x81000002 --create --force\` |"
echo "| issue | \`openssl x509 -req -CA\` (checks the CSR's signature; random serial) | \`pki-gen issue --profile device\` |"
if [ "$CERTSTORE" = 1 ]; then
	echo "| verify | \`openssl verify -CAfile -untrusted\` | \`certstore verify --kind device --chain\` |"
	echo "| install | \`tpm2_readpublic -f pem\`, \`openssl x509 -pubkey\`, \`cmp\`, \`cp\` | \`certstore install --key tpm:0x81000002\` |"
fi
echo "| token | \`openssl req -x509 -newkey ec\`, \`openssl pkcs12 -export\` (PIN from the environment), \`rm\` of the key file | \`token create\` |"
echo "| pin | \`openssl pkcs12 -nodes\`, \`openssl pkcs12 -export\`, \`rm\`, \`mv\` | \`token change-pin\` |"
echo
echo "Processes: programs exec'd by one run of the way (strace -f -e trace=execve), the script's own"
echo "shell not counted$(command -v strace > /dev/null || echo " (not counted: no strace; make bench-deps installs it)"). CPU incl. swtpm adds the swtpm daemon's CPU time during the run to (a) and (b)."

if [ -n "${PLOT:-}" ]; then
	command -v gnuplot > /dev/null || fail "PLOT given but no gnuplot (make bench-deps installs gnuplot-nox)"
	gnuplot <<EOT
set terminal pngcairo size 900,520 font ",10"
set output "$PLOT"
set title "One device's provisioning, per step (median wall time of $N runs, $(date -u +%Y-%m-%d))"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set ylabel "ms (log scale)"
set logscale y
set yrange [0.5:*]
set grid ytics
set key top right
set xtics nomirror
plot "$PB_WORK/steps.dat" using 2:xtic(1) title "(a) openssl + tpm2-tools, swtpm" lc rgb "#b04030", \
     '' using 3 title "(b) provbox --tpm swtpm:" lc rgb "#3070b0", \
     '' using 4 title "(c) provbox --tpm sim" lc rgb "#40a060"
EOT
	echo
	echo "(plot: $PLOT)"
fi
