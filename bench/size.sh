#!/bin/bash
# bench/size.sh - what each way costs a device: bytes an initramfs must carry,
# and the peak memory of every provbox applet.
#
# Bytes: the files each way needs, with every shared library ldd names
# (transitively, libc and the loader included, each file counted once, the
# size of the file a symlink points to), raw and as a gzip -9 compressed tar:
#   provbox: the SIM=0 (target) binary, stripped (PROVBOX_TARGET, default
#            build/target/provbox: `make SIM=0` builds it)
#   peer:    openssl, the tpm2 provider (ossl-modules/tpm2.so), the tpm2-tools
#            binary (one multicall `tpm2` behind every tpm2_* name the flow
#            uses), and libtss2-tcti-device, which tpm2-tools' TCTI loader
#            dlopens on a device (ldd cannot see it)
# The shell and coreutils are left out of both: an initramfs has them anyway.
#
# Memory: peak RSS (/usr/bin/time -v, "Maximum resident set size") of each
# applet's subcommands as the flow runs them; the target flavour against a
# swtpm (what a device runs, with /dev/tpmrm0 there), the sim flavour with
# the in-process TPM; tee over SoftHSM2 (target) and the simulated storage
# (sim); kmu in the sim flavour only (the target one has no KMU here).
# Applets this script has no recipe for are measured running --help (said
# in the table).
# Targets: initramfs bytes <= 1/15 of the peer's; peak RSS of every applet
# <= 8 MiB (judged on the target flavour; the sim flavour is shown too).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
PROVBOX=${PROVBOX:-$top/build/provbox}
PROVBOX_TARGET=${PROVBOX_TARGET:-$top/build/target/provbox}
if [ ! -x "$PROVBOX_TARGET" ] && [ "$PROVBOX_TARGET" = "$top/build/target/provbox" ]; then
	echo "size.sh: building the target flavour (make SIM=0 build/target/provbox)" >&2
	make -C "$top" -s SIM=0 build/target/provbox >&2
fi
[ -x "$PROVBOX_TARGET" ] || { echo "size.sh: no $PROVBOX_TARGET (make SIM=0 build/target/provbox)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "size.sh: no /usr/bin/time (make bench-deps installs it)" >&2; exit 1; }
base=${BENCH_DIR:-/dev/shm}
[ -d "$base" ] && [ -w "$base" ] || base=${TMPDIR:-/tmp}
PB_WORK=$(mktemp -d "$base/pb-bench-size.XXXXXX")
export PB_WORK
. "$top/tests/e2e/lib.sh"
. "$top/tests/e2e/lib-swtpm.inc"
needs_cmd openssl tpm2 swtpm strip ldd gzip
cleanup() { stop_swtpm; rm -rf "$PB_WORK"; }
trap cleanup EXIT
cd "$PB_WORK"

SOFTHSM=/usr/lib/softhsm/libsofthsm2.so
multiarch=$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
libdir=/usr/lib/$multiarch

# closure FILE...: the files and every library ldd names, resolved, once each
closure() {
	for f in "$@"; do
		readlink -f "$f"
		ldd "$f" | awk '/=> \// { print $3 } /^\t\/[^ ]+ \(/ { print $1 }' | xargs -r readlink -f
	done | sort -u
}
bytes() { xargs -r stat -L -c %s | awk '{ s += $1 } END { print s + 0 }'; }
gzbytes() { tar -cf - -P -T - 2>/dev/null | gzip -9 | wc -c; }
# target WHAT FIGURE VERDICT: one line for the summary of make bench (bench/run.sh)
target() { [ -z "${BENCH_TARGETS:-}" ] || printf '| %s | %s | %s |\n' "$1" "$2" "$3" >> "$BENCH_TARGETS"; }
kib() { awk -v b="$1" 'BEGIN { printf "%.0f", b / 1024 }'; }

cp "$PROVBOX_TARGET" provbox && strip provbox
closure provbox | sed "s|^$PB_WORK/provbox$|$PB_WORK/provbox|" > pb.files
tcti_dev=$(readlink -f "$libdir/libtss2-tcti-device.so.0")
closure /usr/bin/openssl "$libdir/ossl-modules/tpm2.so" /usr/bin/tpm2 "$tcti_dev" > peer.files
libc_pb=$(grep -E '/(libc\.so|ld-linux)' pb.files | bytes)

pb_b=$(bytes < pb.files); peer_b=$(bytes < peer.files)
pb_gz=$(gzbytes < pb.files); peer_gz=$(gzbytes < peer.files)
pb_nolibc=$(grep -vE '/(libc\.so|ld-linux)' pb.files | bytes)
peer_nolibc=$(grep -vE '/(libc\.so|ld-linux)' peer.files | bytes)

echo "### Bytes in the initramfs, and memory (bench/size.sh)"
echo
echo "| way | files | KiB | KiB gzip -9 | KiB without libc + loader |"
echo "|---|---:|---:|---:|---:|"
echo "| provbox (SIM=0, stripped) + its libraries | $(wc -l < pb.files) | $(kib "$pb_b") | $(kib "$pb_gz") | $(kib "$pb_nolibc") |"
echo "| openssl + tpm2 provider + tpm2-tools + TCTI + their libraries | $(wc -l < peer.files) | $(kib "$peer_b") | $(kib "$peer_gz") | $(kib "$peer_nolibc") |"
echo
r=$(awk -v a="$pb_b" -v b="$peer_b" 'BEGIN { printf "%.3f", a / b }')
rg=$(awk -v a="$pb_gz" -v b="$peer_gz" 'BEGIN { printf "%.3f", a / b }')
rn=$(awk -v a="$pb_nolibc" -v b="$peer_nolibc" 'BEGIN { printf "%.3f", a / b }')
verdict=$(awk -v r="$r" 'BEGIN { print (r <= 1 / 15 ? "met" : "MISSED") }')
echo "provbox / peer: $r (1/$(awk -v r="$r" 'BEGIN { printf "%.1f", 1 / r }')) raw, $rg gzip'd, $rn without libc and the loader" \
	"(libc + loader: $(kib "$libc_pb") KiB on both sides). Target <= 1/15 = 0.067 (raw, all files): **$verdict**."
target "size: initramfs bytes <= 1/15 of the peer's (all files)" "$r (1/$(awk -v r="$r" 'BEGIN { printf "%.1f", 1 / r }')); without libc + loader $rn" "$verdict"
echo
echo "<details><summary>the files</summary>"
echo
echo '```'
echo "provbox:"; while read -r f; do printf '  %8s  %s\n' "$(stat -L -c %s "$f")" "${f/#$PB_WORK\//}"; done < pb.files
echo "peer:"; while read -r f; do printf '  %8s  %s\n' "$(stat -L -c %s "$f")" "$f"; done < peer.files
echo '```'
echo "</details>"
echo

# ------------------------------------------------------------- peak RSS
start_swtpm "$PB_WORK/swtpm"
trap cleanup EXIT
declare -A rss_t rss_s cmd_t cmd_s
# rss FLAVOUR APPLET CMD...: peak RSS KiB of one provbox run, the largest per applet kept
rss() {
	local fl=$1 ap=$2 bin out k
	shift 2
	if [ "$fl" = t ]; then bin=$PROVBOX_TARGET; else bin=$PROVBOX; fi
	out=$(/usr/bin/time -v "$bin" "$@" 2>&1 >/dev/null) || { echo "size.sh: provbox $* failed:" >&2; echo "$out" >&2; [ ! -e "${PB_WORK}/last-server-log" ] || cat "$(cat "$PB_WORK/last-server-log")" >&2; exit 1; }
	k=$(echo "$out" | awk -F': ' '/Maximum resident set size/ { print $2 }')
	if [ "$fl" = t ]; then
		[ "${rss_t[$ap]:-0}" -ge "$k" ] || { rss_t[$ap]=$k; cmd_t[$ap]="$*"; }
	else
		[ "${rss_s[$ap]:-0}" -ge "$k" ] || { rss_s[$ap]=$k; cmd_s[$ap]="$*"; }
	fi
}
applets=$("$PROVBOX" --list)
applets_t=$("$PROVBOX_TARGET" --list)
[ "$applets" = "$applets_t" ] || { echo "size.sh: $PROVBOX and $PROVBOX_TARGET have different applets" >&2; exit 1; }
has() { echo "$applets" | grep -qx "$1"; }
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null \
	-subj "/CN=serial:csr" -out some.csr 2> /dev/null
mkdir batch
for i in $(seq 200); do ln some.csr "batch/d$i.csr"; done
echo "container manifest" > artifact
# a signing certificate for pki-gen sign (the CAs' keyUsage is certificate signing only)
openssl genpkey -algorithm ec -pkeyopt ec_paramgen_curve:P-256 -out signer.key 2> /dev/null
openssl req -new -key signer.key -subj "/CN=guestos signer" -out signer.csr
for fl in t s; do
	export PROVBOX_STATE="$PB_WORK/state-$fl"
	if [ "$fl" = t ]; then tpm=$SWTPM_URI; else tpm=sim; fi
	d=$PB_WORK/$fl; mkdir "$d"
	rss $fl pki-gen pki-gen init --profile trustme --out "$d/pki"
	rss $fl pki-gen pki-gen issue --ca "$d/pki/dev_subca" --csr some.csr --profile device --days 365 --out "$d/one.crt"
	rss $fl pki-gen pki-gen issue --ca "$d/pki/dev_subca" --csr batch --profile device --days 365 --out "$d/batch"
	rss $fl pki-gen pki-gen esl --cert "$d/pki/ssig_subca.crt" --out "$d/ssig.esl"
	"$PROVBOX" pki-gen issue --ca "$d/pki/guestos_subca" --csr signer.csr --profile guestos --days 365 --out "$d/signer.crt"
	rss $fl pki-gen pki-gen sign --key file:signer.key --cert "$d/signer.crt" artifact --out "$d/a.sig"
	if has lifecycle; then
		rss $fl lifecycle lifecycle status --tpm "$tpm"
		rss $fl lifecycle lifecycle advance --tpm "$tpm" provisioning
	fi
	if has certstore; then
		rss $fl certstore certstore add --tpm "$tpm" --kind device "$d/pki/gen_rootca.crt"
		rss $fl certstore certstore list --tpm "$tpm"
	fi
	rss $fl csr csr --tpm "$tpm" --key tpm:0x81000002 --create --force --subject /CN=serial:2026-0001 --out "$d/dev.csr"
	rss $fl csr csr --show "$d/dev.csr"
	rss $fl csr csr --verify "$d/dev.csr"
	"$PROVBOX" pki-gen issue --ca "$d/pki/dev_subca" --csr "$d/dev.csr" --profile device --days 365 --out "$d/dev.crt"
	if has certstore; then
		rss $fl certstore certstore verify --tpm "$tpm" --kind device "$d/dev.crt" --chain "$d/pki/dev_subca.crt"
		rss $fl certstore certstore install --tpm "$tpm" --cert "$d/dev.crt" --key tpm:0x81000002 --chain "$d/pki/dev_subca.crt"
	fi
	if has connect; then
		# the identity proof: TLS to openssl s_server, the client key in the TPM
		[ -d srv ] || "$PROVBOX" pki-gen init --profile simple --out srv > /dev/null
		port=$(free_port)
		: > empty
		openssl s_server -accept "127.0.0.1:$port" -Verify 1 -verify_return_error -CAfile "$d/pki/gen_rootca.crt" \
			-cert srv/system.crt -key srv/system.key -rev -naccept 1 < empty > "$d/s_server.log" 2>&1 &
		echo "$d/s_server.log" > last-server-log
		server=$!
		i=0
		until grep -q '^ACCEPT' "$d/s_server.log" 2> /dev/null; do
			i=$((i + 1)); [ $i -lt 100 ] || { cat "$d/s_server.log" >&2; fail "s_server did not start"; }
			sleep 0.1
		done
		rss $fl connect connect --tpm "$tpm" --host 127.0.0.1 --port "$port" --servername localhost \
			--key tpm:0x81000002 --cert "$d/dev.crt" --chain "$d/pki/dev_subca.crt" --ca srv/ca.crt < empty
		kill "$server" 2> /dev/null || true; wait "$server" 2> /dev/null || true
	fi
	export PROVBOX_PIN=trustme
	rss $fl token token create --tpm "$tpm"
	PROVBOX_NEW_PIN=bench-pin rss $fl token token change-pin
	export PROVBOX_PIN=bench-pin
	rss $fl token token wrap --name core0
	rss $fl token token unwrap --name core0 --hex
	rss $fl token token unlock
	rss $fl token token list
	unset PROVBOX_PIN
	if has tee; then
		# sim: the simulated secure storage; target: a PKCS#11 module (SoftHSM2 here,
		# OP-TEE's libckteec on a device), whose own memory is in the figure
		if [ "$fl" = t ]; then
			mkdir -p "$d/hsm"
			printf 'directories.tokendir = %s/hsm\nobjectstore.backend = file\nlog.level = ERROR\n' "$d" > "$d/hsm.conf"
			export SOFTHSM2_CONF="$d/hsm.conf"
			tee_init=pkcs11:$SOFTHSM tee=pkcs11:$SOFTHSM,token=token0 x=+softhsm2
		else
			tee_init=sim tee=sim x=
		fi
		PROVBOX_SO_PIN=so-pin-1234 rss $fl tee$x tee init --tpm "$tpm" --tee "$tee_init" --label token0
		PROVBOX_SO_PIN=so-pin-1234 PROVBOX_NEW_PIN=1234 rss $fl tee$x tee init-pin --tee "$tee"
		export PROVBOX_PIN=1234
		rss $fl tee$x tee keygen --tpm "$tpm" --tee "$tee" --key tee:key0
		rss $fl tee$x tee list --tee "$tee"
		rss $fl tee$x tee status --tee "$tee"
		rss $fl csr$x csr --tee "$tee" --key tee:key0 --subject /CN=serial:tee --out "$d/tee.csr"
		unset PROVBOX_PIN
	fi
	if has kmu && [ "$fl" = s ]; then   # (no KMU in the target flavour: no simulator, no driver here)
		export PROVBOX_STATE="$PB_WORK/state-$fl-kmu"
		"$PROVBOX" lifecycle advance --kmu sim provisioning > /dev/null
		rss $fl kmu kmu gen-huk --kmu sim
		rss $fl kmu kmu gen-identity --kmu sim
		rss $fl kmu kmu read-identity --kmu sim --out "$d/kmu.pem"
		rss $fl kmu kmu status --kmu sim
		rss $fl csr csr --key kmu:identity --kmu sim --subject /CN=serial:kmu --out "$d/kmu.csr"
	fi
	for a in $applets; do   # the rest: --help
		if [ "$fl" = t ]; then [ -n "${rss_t[$a]:-}" ] || rss $fl "$a" "$a" --help
		else [ -n "${rss_s[$a]:-}" ] || rss $fl "$a" "$a" --help; fi
	done
done
echo "Peak RSS per applet (KiB; the largest of the subcommands run, that subcommand named):"
echo
echo "| applet | target flavour (SIM=0, swtpm) | its largest | sim flavour (--tpm sim) | its largest |"
echo "|---|---:|---|---:|---|"
worst_t=0 worst_s=0
for a in $applets; do
	echo "| $a | ${rss_t[$a]} | \`${cmd_t[$a]}\` | ${rss_s[$a]} | \`${cmd_s[$a]}\` |" | sed "s|$PB_WORK/||g; s|$SWTPM_URI|swtpm:...|g; s|--port [0-9]*|--port P|g"
	[ "${rss_t[$a]}" -le "$worst_t" ] || worst_t=${rss_t[$a]}
	[ "${rss_s[$a]}" -le "$worst_s" ] || worst_s=${rss_s[$a]}
done
hsm=0
for a in "${!rss_t[@]}"; do
	case $a in *+softhsm2) ;; *) continue ;; esac
	[ "${rss_t[$a]}" -le "$hsm" ] || hsm=${rss_t[$a]}
	echo "| ${a%+softhsm2}, SoftHSM2 loaded | ${rss_t[$a]} | \`${cmd_t[$a]}\` | | |" | sed "s|$PB_WORK/||g; s|$SWTPM_URI|swtpm:...|g; s|--port [0-9]*|--port P|g"
done
v=$( [ "$worst_t" -le 8192 ] && echo met || echo MISSED)
target "size: peak RSS of every applet <= 8 MiB (target flavour)" \
	"largest $worst_t KiB (sim flavour $worst_s KiB$( [ "$hsm" = 0 ] || echo "; tee with SoftHSM2 loaded $hsm KiB, not judged"))" "$v"
echo
echo "Largest peak RSS: target flavour $worst_t KiB, sim flavour $worst_s KiB. Target every applet <= 8192 KiB" \
	"(target flavour): **$v**; sim flavour:" \
	"$( [ "$worst_s" -le 8192 ] && echo "within it too" || echo "above it (libtpms and libcrypto in-process)")."
[ "$hsm" = 0 ] || echo "The SoftHSM2 rows (tee over PKCS#11 in the target flavour) hold the module's own memory too" \
	"(SoftHSM2 loads libcrypto and libstdc++; on a device the module is OP-TEE's thin libckteec client):" \
	"shown, not judged. Without a module the target flavour's tee has only --help to run here."
