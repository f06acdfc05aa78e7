# pki-gen init builds in a staging directory and renames it into place:
# killed (-9) at random instants, it leaves no PKI (or, with --force, the
# old one byte for byte) or the complete new one, never a part. Files in
# --out that init does not make are kept; staging leftovers are removed by
# the next init.
. "$PB_TESTS/e2e/lib.sh"
needs_cmd openssl

names="ssig_rootca ssig_subca gen_rootca guestos_subca dev_subca"
want_ls="dev_subca.crt dev_subca.key gen_rootca.crt gen_rootca.key guestos_subca.crt guestos_subca.key \
ssig_rootca.crt ssig_rootca.key ssig_subca.crt ssig_subca.esl ssig_subca.key"

# complete DIR [EXTRA...]: exactly the trust|me files (and EXTRA), all sound
complete() {
	d=$1; shift
	assert_eq "$(ls "$d" | tr '\n' ' ')" "$(printf '%s\n' $want_ls "$@" | sort | tr '\n' ' ')" "files in $d"
	for n in $names; do
		a=$(openssl pkey -in "$d/$n.key" -pubout 2>/dev/null | sha256sum)
		b=$(openssl x509 -in "$d/$n.crt" -noout -pubkey 2>/dev/null | sha256sum)
		[ "$a" = "$b" ] || fail "$d/$n: key and certificate do not match (half-made PKI)"
	done
	openssl verify -CAfile "$d/gen_rootca.crt" -untrusted "$d/dev_subca.crt" "$d/dev_subca.crt" >/dev/null \
		|| fail "$d: chain broken"
	[ -s "$d/ssig_subca.esl" ] || fail "$d: empty ESL"
}
digest() { (cd "$1" && sha256sum * | sha256sum); }
rnd() { od -An -N2 -tu2 /dev/urandom | tr -d ' '; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

note "a normal init leaves no staging directory behind"
t0=$(now_ms)
pb pki-gen init --profile trustme --alg ec-p384 --out ref > /dev/null
dur=$(( $(now_ms) - t0 ))
complete ref
[ -z "$(ls -A | grep '^\.ref\.')" ] || fail "staging left: $(ls -A)"
[ "$dur" -ge 5 ] || dur=5

note "kill -9 during init into a new directory (30 trials, instants within ${dur} ms)"
none=0 whole=0
for t in $(seq 1 30); do
	rm -rf new
	"$PROVBOX" pki-gen init --profile trustme --alg ec-p384 --out new > /dev/null 2>&1 &
	pid=$!
	sleep "$(awk -v r="$(rnd)" -v d="$dur" 'BEGIN { printf "%.3f", r / 65535 * d * 1.5 / 1000 }')"
	kill -9 $pid 2>/dev/null || true
	wait $pid 2>/dev/null || true
	if [ -e new ]; then complete new; whole=$((whole + 1)); else none=$((none + 1)); fi
done
echo "outcomes: no PKI $none, complete PKI $whole"

note "kill -9 during init --force over a PKI (30 trials): the old one or the new one"
cp -a ref old
echo "kept" > old/notes.txt
before=$(digest old)
olds=0 news=0
for t in $(seq 1 30); do
	"$PROVBOX" pki-gen init --profile trustme --alg ec-p384 --out old --force > /dev/null 2>&1 &
	pid=$!
	sleep "$(awk -v r="$(rnd)" -v d="$dur" 'BEGIN { printf "%.3f", r / 65535 * d * 1.5 / 1000 }')"
	kill -9 $pid 2>/dev/null || true
	wait $pid 2>/dev/null || true
	[ -d old ] || fail "trial $t: the PKI directory is gone"
	if [ "$(digest old)" = "$before" ]; then
		olds=$((olds + 1))
	else
		complete old notes.txt
		assert_eq "$(cat old/notes.txt)" "kept" "a file init does not make"
		news=$((news + 1))
		before=$(digest old)
	fi
done
echo "outcomes: old PKI $olds, new PKI $news"

note "the next init removes what killed inits left behind"
pb pki-gen init --profile trustme --out old --force > /dev/null
complete old notes.txt
pb pki-gen init --profile trustme --out new --force > /dev/null
complete new
left=$(ls -A | grep '^\.\(old\|new\)\.init-' || true)
[ -z "$left" ] || fail "staging directories left: $left"

note "--force keeps other files, refuses a subdirectory it could not keep"
mkdir old/sub
expect_exit 1 pb pki-gen init --profile trustme --out old --force
expect_stderr "old/sub is a directory"
complete old notes.txt sub
rmdir old/sub

note "an existing empty directory, a symlink to one, a trailing slash"
mkdir empty
pb pki-gen init --profile simple --out empty/ > /dev/null
[ -s empty/ca.crt ] && [ -s empty/system.key ] || fail "init into an empty directory"
mkdir real && ln -s real link
pb pki-gen init --profile simple --out link > init.out
[ -L link ] || fail "the symlink was replaced"
[ -s real/ca.crt ] || fail "init did not follow the symlink"
grep -q '^link/ca.crt: ' init.out || fail "init printed: $(cat init.out)"
expect_exit 2 pb pki-gen init --profile simple --out .
