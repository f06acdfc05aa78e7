# examples/lib.sh - what the provision-*.sh scripts share: the step lines,
# the log, provbox calls and the TLS proof against openssl s_server.
# Sourced by a script once it has set PROVBOX and WORK; it makes $WORK/log,
# sets PROVBOX_STATE=$WORK/state, goes into $WORK and empties the log.
mkdir -p "$WORK/log"
export PROVBOX_STATE="$WORK/state"
cd "$WORK"
log=$WORK/log/provision.log
: > "$log"

# step WHO WHAT: starts a step's line; done_ ends it with what was found.
# A failure on the way (set -e) ends the line with FAILED and the log.
n=0 line_open=0 spid=""
step() {
	n=$((n + 1)) line_open=1
	printf '%2d %-7s %s ... ' "$n" "$1" "$2"
	printf '\n== %d %s: %s\n' "$n" "$1" "$2" >> "$log"
}
done_() { echo "$*"; line_open=0; }
fail() { echo "FAILED: $*"; line_open=0; tail -15 "$log" | sed 's/^/    | /'; exit 1; }
finish() {
	rc=$?
	[ -z "$spid" ] || { kill "$spid" 2>/dev/null || true; wait "$spid" 2>/dev/null || true; }
	if [ "$rc" != 0 ] && [ "$line_open" = 1 ]; then
		echo "FAILED (exit $rc)"; tail -15 "$log" | sed 's/^/    | /'
	fi
}
trap finish EXIT
trap 'exit 1' INT TERM

# pb ARGS: provbox, its output to the log; pb_out ARGS: its stdout too
pb() { printf '$ provbox %s\n' "$*" >> "$log"; "$PROVBOX" "$@" >> "$log" 2>&1; }
pb_out() {
	printf '$ provbox %s\n' "$*" >> "$log"
	rc=0; "$PROVBOX" "$@" > "$WORK/log/out" 2>> "$log" || rc=$?
	cat "$WORK/log/out" >> "$log"; cat "$WORK/log/out"; return $rc
}
# expect CODE ARGS: provbox must exit with CODE
expect() {
	want=$1; shift; rc=0
	pb "$@" || rc=$?
	[ "$rc" = "$want" ] || fail "exit $rc, expected $want"
}
pubkey_of_crt() { openssl x509 -in "$1" -noout -pubkey 2>> "$log"; }
pubkey_of_csr() { openssl req -in "$1" -noout -pubkey 2>> "$log"; }

# add_anchor KIND FILE: certstore add, and the step's result
add_anchor() {
	out=$(pb_out certstore add --kind "$1" "$2")
	case $out in
	*": added") done_ "added" ;;
	*": already present") done_ "holds: already present" ;;
	*) fail "certstore add said: $out" ;;
	esac
}

# install_cert WHAT ARGS: certstore install ARGS, which certstore list must
# then show for CN=serial:$SERIAL; the step's result is WHAT (or holds)
install_cert() {
	lib_what=$1; shift
	out=$(pb_out certstore install "$@")
	"$PROVBOX" certstore list --json 2>> "$log" | grep -q "\"device_certificate\": {\"subject\": \"/CN=serial:$SERIAL" ||
		fail "certstore list shows no device certificate CN=serial:$SERIAL"
	case $out in
	*"already installed"*|*unchanged*) done_ "holds: installed" ;;
	*) done_ "$lib_what" ;;
	esac
}

# free_port: a free loopback port for the server (PORT= chooses one)
free_port() {
	echo "${PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' 2>/dev/null ||
		awk 'BEGIN { srand(); print 20000 + int(rand() * 20000) }')}"
}

# s_server CAFILE CERT KEY: openssl s_server on 127.0.0.1:$port asking for a
# client certificate under CAFILE, echoing lines reversed; waits for ACCEPT
s_server() {
	: > log/empty; rm -f log/s_server.log   # not the last run's ACCEPT
	openssl s_server -accept "127.0.0.1:$port" -Verify 1 -verify_return_error -CAfile "$1" \
		-cert "$2" -key "$3" -rev > log/s_server.log 2>&1 < log/empty &
	spid=$!
	i=0
	until grep -q '^ACCEPT' log/s_server.log 2>/dev/null; do
		i=$((i + 1)); [ $i -lt 100 ] || { cat log/s_server.log >> "$log"; fail "s_server did not start"; }
		sleep 0.1
	done
}

# connect_check ARGS: provbox connect ARGS to the s_server, which must echo our
# line and have seen CN=serial:$SERIAL; sets suite to what connect agreed
connect_check() {
	printf '$ echo ... | %sprovbox connect --host 127.0.0.1 --port %s --servername localhost %s\n' \
		"${PROVBOX_PIN:+PROVBOX_PIN=... }" "$port" "$*" >> "$log"
	echo "hello from serial:$SERIAL" | timeout 30 "$PROVBOX" connect --host 127.0.0.1 --port "$port" \
		--servername localhost "$@" --linger 1 \
		> log/connect.out 2>> "$log" || { cat log/connect.out >> "$log"; fail "connect"; }
	cat log/connect.out >> "$log"
	grep -q "^$(echo "hello from serial:$SERIAL" | rev)$" log/connect.out || fail "no echo from the server"
	grep -q "CN = serial:$SERIAL" log/s_server.log || fail "the server did not see CN=serial:$SERIAL"
	suite=$(sed -n 's/^connected: [^ ]* //p' log/connect.out)
}
