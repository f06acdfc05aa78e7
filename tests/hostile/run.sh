#!/bin/sh
# tests/hostile/run.sh - the real binary ($PROVBOX) against hostile input.
#
# Every input slot of tests/hostile/slots (an applet option that reads a
# file, or a state file the command reads) gets every hostile input:
# empty, truncated, bit-flipped, deeply nested DER, a length past the end,
# a 100 KB PEM block, a 150 MB sparse file, NUL bytes, the wrong type (a
# key where a certificate goes), a directory, a FIFO with no writer and
# /dev/zero; every line of tests/hostile/args is a hostile argument (long
# or malformed subjects, URIs, handles, --days at the limits, --jobs 0...).
# Each run must exit 1, 2 or 5 (a slot may allow more), print exactly one
# line on stderr, finish within $PB_HOSTILE_TIMEOUT seconds, and leave the
# state directory byte for byte as it was (but for the simulated TPM's
# permall, which a TPM session may rewrite, unless it is the input).
#
# Applets are also swept generically, so that new ones are covered before
# anyone writes slots for them: in each "Example:" line of `APPLET --help`,
# every value that names a file (FILE.ext, DIR/NAME, file:PATH) is replaced
# by the generic hostile inputs; there a success (exit 0) is allowed but a
# crash, a hang, a second stderr line or a changed state dir after a
# failure is not. Usage: PROVBOX=build/provbox tests/hostile/run.sh
set -u
: "${PROVBOX:?set PROVBOX to the binary under test}"
here=$(cd "$(dirname "$0")" && pwd)
TMO=${PB_HOSTILE_TIMEOUT:-20}
w=$(mktemp -d "${TMPDIR:-/tmp}/pb-hostile.XXXXXX")
trap 'rm -rf "$w"' EXIT
cd "$w"
export PROVBOX_STATE="$w/state"
unset PROVBOX_PIN PROVBOX_NEW_PIN PROVBOX_OWNER_AUTH 2>/dev/null || true
fails=0 runs=0
die() { echo "hostile: setup failed: $*" >&2; exit 1; }
pb() { "$PROVBOX" "$@"; }

# ---------------------------------------------------------------- fixtures
mkdir -p in out gen
pb pki-gen init --profile simple --out pki > /dev/null 2>&1 || die "pki-gen init"
openssl genpkey -algorithm ec -pkeyopt ec_paramgen_curve:P-256 -out key.pem 2>/dev/null || die openssl
pb csr --key file:key.pem --subject /CN=hostile --out good.csr || die "csr"
pb pki-gen issue --ca pki/ca --csr good.csr --profile device --out good.crt > /dev/null || die issue
cp pki/ca.crt good.crt.ca
printf 'artifact\n' > data.bin
openssl pkcs12 -export -inkey key.pem -in good.crt -passout pass:hostile-pin -out good.p12 2>/dev/null || die pkcs12
printf 'hostile-pin' > good.pin
PROVBOX_PIN=hostile-pin pb token create > /dev/null 2>&1 || die "token create"
PROVBOX_PIN=hostile-pin pb token wrap --name c > /dev/null 2>&1 || die "token wrap"
if [ "${PB_E2E_TARGET:-0}" != 1 ]; then
	pb csr --key tpm:0x81000002 --create --subject /CN=hostile --out tpm.csr > /dev/null 2>&1 || die "tpm key"
	has_tpm=1
else
	has_tpm=0
fi
# the applets of the next wave, where present: certstore (anchor, device
# certificate), lifecycle in provisioning with KMU keys, a TEE key
has() { "$PROVBOX" --list | grep -qx "$1"; }
if has certstore; then
	pb certstore add --kind device pki/ca.crt > /dev/null || die "certstore add"
	pb certstore install --cert good.crt --key file:key.pem > /dev/null || die "certstore install"
fi
pb pki-gen sign --key file:key.pem --cert good.crt data.bin --out data.sig || die "pki-gen sign"
if has kmu && has lifecycle && [ $has_tpm = 1 ]; then
	pb lifecycle advance provisioning --kmu sim > /dev/null || die "lifecycle advance"
	pb kmu gen-huk > /dev/null && pb kmu gen-identity > /dev/null || die "kmu keys"
fi
if has tee && [ $has_tpm = 1 ]; then
	PROVBOX_SO_PIN=12345678 pb tee init --label token0 > /dev/null || die "tee init"
	PROVBOX_SO_PIN=12345678 PROVBOX_NEW_PIN=1234 pb tee init-pin > /dev/null || die "tee init-pin"
	PROVBOX_PIN=1234 pb csr --key tee:key0 --create --subject /CN=tee --out tee.csr || die "tee key"
fi
# every lock file exists already, so that a run that takes a lock changes nothing
PROVBOX_PIN=hostile-pin pb token unlock > /dev/null 2>&1 || die unlock
pb token list > /dev/null 2>&1

# ---------------------------------------------------------------- inputs
# make_inputs KIND GOOD: hostile variants of GOOD in in/KIND.*
nest() {   # nest DEPTH: DEPTH nested SEQUENCEs (long-form lengths)
	awk -v d="$1" 'BEGIN { for (i = 0; i < d; i++) printf "\060\204\177\377\377\377"; printf "\005" }'
}
make_inputs() {
	k=$1 good=$2
	: > in/$k.empty
	size=$(wc -c < "$good")
	head -c $((size / 2)) "$good" > in/$k.truncated
	# flip one bit in each 64-byte stretch of the DER (or the text)
	python3 -c 'import sys; b = bytearray(open(sys.argv[1], "rb").read())
for i in range(min(16, len(b) // 2), len(b), 64): b[i] ^= 4
open(sys.argv[2], "wb").write(b)' "$good" in/$k.bitflip || die "bit flip"
	cmp -s in/$k.bitflip "$good" && die "bit flip of $good changed nothing"
	nest 5000 > in/$k.nested
	printf '\060\204\000\001\000\000\002\001\001' > in/$k.pastend
	{ echo "-----BEGIN CERTIFICATE-----"; head -c 76800 /dev/urandom | base64 -w 64; echo "-----END CERTIFICATE-----"; } > in/$k.bigpem
	truncate -s 150M in/$k.huge
	{ head -c 100 "$good"; head -c 64 /dev/zero; tail -c +101 "$good"; } > in/$k.nul
	ln -sf /dev/zero in/$k.devzero
	mkdir -p in/$k.dir
	mkfifo in/$k.fifo
}
make_inputs cert good.crt
make_inputs csr good.csr
make_inputs key key.pem
make_inputs p12 good.p12
make_inputs pin good.pin
make_inputs sig data.sig
cp good.crt in/sig.wrongtype
# state files as inputs (STATE: slots); the wrong type is another state file
for sf in certstore/index:index lifecycle/authority:authority kmu/slots:kmu tee/dirf.db:teeidx \
	  tee/obj.1:teeobj tpm/permall:tpmstate; do
	[ -f "$PROVBOX_STATE/${sf%%:*}" ] || continue
	make_inputs ${sf##*:} "$PROVBOX_STATE/${sf%%:*}"
	cp "$PROVBOX_STATE/tokens/device.state" in/${sf##*:}.wrongtype
done
cp key.pem in/cert.wrongtype; cp good.crt in/key.wrongtype; cp good.crt in/csr.wrongtype
cp good.csr in/p12.wrongtype; cp good.p12 in/pin.wrongtype
# generic inputs for the example sweep
mkdir -p gen/dir; mkfifo gen/fifo; : > gen/empty; head -c 3000 /dev/urandom > gen/garbage
head -c 4096 /dev/zero > gen/nul; nest 5000 > gen/nested; ln -s /dev/zero gen/devzero

# STATE/tpm/permall: every session of the simulated TPM may rewrite it
# (libtpms counts power cycles; lifecycle-gated commands open the TPM), so
# its content is compared only where it is the input under test.
volatile=tpm/permall
listing() {   # the state dir: names, types, modes, contents ($volatile: not its content)
	(cd "$PROVBOX_STATE" && find . -printf '%p %y %m\n' | LC_ALL=C sort &&
	 find . -type f ! -path "./${volatile:-.none}" -exec sha256sum {} + | LC_ALL=C sort -k2)
}
snap() { listing | tee "$w/state.listing" | sha256sum; }
before=$(snap)

# check NAME ALLOWED-EXITS CMD...: run CMD under the time limit and judge it
check() {
	name=$1 allowed=$2; shift 2
	runs=$((runs + 1))
	timeout -s KILL "$TMO" "$@" < /dev/null > "$w/out/stdout" 2> "$w/out/stderr"
	rc=$?
	lines=$(grep -c "" "$w/out/stderr")
	bad=""
	case ",$allowed," in *",$rc,"*) ;; *) bad="exit $rc (allowed: $allowed)";; esac
	[ $rc = 137 ] && bad="no answer within ${TMO}s"
	if [ $rc != 0 ] && [ "$lines" != 1 ]; then bad="${bad:+$bad, }$lines lines on stderr"; fi
	if [ $rc != 0 ] && [ $rc != 4 ] && [ "$(listing | sha256sum)" != "$before" ]; then
		bad="${bad:+$bad, }the state dir changed: $(listing | diff "$w/state.listing" - | grep '^[<>]' | tr '\n' ' ' | cut -c1-300)"
	fi
	if [ -z "$bad" ] && { [ $rc = 0 ] || [ $rc = 4 ]; }; then
		restore_state   # an accepted input may change the state legitimately
	elif [ -n "$bad" ]; then
		fails=$((fails + 1))
		echo "  FAIL  $name: $bad"
		echo "        \$ $*" | cut -c1-200
		head -c 600 "$w/out/stderr" | sed 's/^/        | /'
		restore_state
	fi
	return 0
}
cp -a "$PROVBOX_STATE" "$w/state.orig"
restore_state() { rm -rf "$PROVBOX_STATE"; cp -a "$w/state.orig" "$PROVBOX_STATE"; before=$(snap); }

# ---------------------------------------------------------------- input slots
# tests/hostile/slots: KIND ALLOWED-EXITS COMMAND (@IN@: the hostile file;
# @TPM@ lines need the simulated TPM; STATE:path lines put the input there)
kinds="empty truncated bitflip nested pastend bigpem huge nul devzero dir fifo wrongtype"
while IFS= read -r line; do
	case $line in ''|'#'*) continue;; esac
	set -f; set -- $line; set +f
	kind=$1 allowed=$2; shift 2
	volatile=tpm/permall
	before=$(snap)
	case $1 in @TPM@) [ $has_tpm = 1 ] || continue; shift;; esac
	target=""
	case $1 in STATE:*) target=$PROVBOX_STATE/${1#STATE:}; shift;; esac
	[ -z "$target" ] || [ -f "$target" ] || continue    # that state file is not made here
	cmd=$*
	app=$(for t in $cmd; do case $t in *=*|\$PROVBOX) ;; *) echo "$t"; break;; esac; done)
	has "$app" || continue
	for v in $kinds; do
		f=$w/in/$kind.$v
		[ -e "$f" ] || [ -L "$f" ] || continue
		if [ -n "$target" ]; then
			# a damaged state file: the command must report it and leave it alone
			[ $v = dir ] || [ $v = fifo ] || [ $v = devzero ] || [ $v = huge ] || {
				volatile=tpm/permall; [ "$target" = "$PROVBOX_STATE/tpm/permall" ] && volatile=""
				cp "$f" "$target"; before=$(snap)
				c=$(printf '%s' "$cmd" | sed "s|\\\$PROVBOX|$PROVBOX|g")
				set -f; check "$kind.$v -> ${target#$w/}: $cmd" "$allowed" env $c; set +f
				restore_state; }
			continue
		fi
		set -f
		c=$(printf '%s' "$cmd" | sed "s|@IN@|$f|g; s|\\\$PROVBOX|$PROVBOX|g")
		a=$allowed; [ $v = bitflip ] && a="0,$allowed"
		check "$kind.$v: $cmd" "$a" env $c
		set +f
	done
done < "$here/slots"
volatile=tpm/permall
before=$(snap)

# ---------------------------------------------------------------- arguments
# tests/hostile/args: ALLOWED-EXITS COMMAND (@LONG@: 100 000 characters)
long=$(head -c 100000 /dev/zero | tr '\0' 'x')
while IFS= read -r line; do
	case $line in ''|'#'*) continue;; esac
	set -f; set -- $line; set +f
	allowed=$1; shift
	case $1 in @TPM@) [ $has_tpm = 1 ] || continue; shift;; esac
	app=$(for t in "$@"; do case $t in *=*|\$PROVBOX) ;; *) echo "$t"; break;; esac; done)
	has "$app" || [ "$app" = no-such-applet ] || continue
	before=$(snap)
	set -f
	c=$(printf '%s' "$*" | sed "s|@LONG@|$long|g; s|@BYTES@|$(printf '\377\376\001')|g; s|\\\$PROVBOX|$PROVBOX|g")
	check "arg: $(printf '%s' "$*" | cut -c1-80)" "$allowed" env $c
	set +f
done < "$here/args"
volatile=tpm/permall
before=$(snap)

# ---------------------------------------------------------------- generic sweep
mkdir -p sweep; cd sweep
cp -a ../pki pki 2>/dev/null; cp ../good.csr dev.csr; cp ../good.crt dev.crt; cp ../data.bin guestos.img
cp ../good.p12 own.p12; cp ../good.pin own.pass; mkdir -p csrs; cp ../good.csr csrs/a.csr
for applet in $("$PROVBOX" --list); do
	"$PROVBOX" "$applet" --help 2>&1 | sed -n 's/^ *Example: *//p' | sed 's/ *(.*$//; s/ [0-9]*[<>].*$//' |
	while IFS= read -r ex; do
		set -f; set -- $ex; set +f
		envs=""
		while [ $# -gt 0 ] && case $1 in *=*) true;; *) false;; esac; do envs="$envs $1"; shift; done
		[ "${1:-}" = "$applet" ] || continue
		shift
		n=0
		for tok in "$@"; do
			n=$((n + 1))
			case $tok in
			file:*) pre=file: ;;
			-*|*:*) continue ;;
			*/*|*.*) pre= ;;
			*) continue ;;
			esac
			# output arguments are not inputs
			prev=$(set -f; i=0; for t in "$@"; do i=$((i + 1)); [ $i = $((n - 1)) ] && echo "$t"; done)
			case $prev in --out|--out-fd|--state) continue;; esac
			for g in empty garbage nul nested devzero dir fifo; do
				args=$(set -f; i=0; for t in "$@"; do i=$((i + 1)); if [ $i = $n ]; then printf '%s ' "$pre$w/gen/$g"; else printf '%s ' "$t"; fi; done)
				set -f
				check "sweep $g: $applet $args" "0,1,2,3,4,5" env $envs PROVBOX_PIN=hostile-pin "$PROVBOX" "$applet" $args
				set +f
			done
		done
		echo "$fails $runs" > "$w/sweep.count"
	done
	[ -f "$w/sweep.count" ] && read -r fails runs < "$w/sweep.count"
done
cd "$w"

echo "hostile: $runs runs, $fails failed"
[ $fails = 0 ]
