# --out onto something that is not a regular file (/dev/null, a FIFO) writes
# into it: the atomic rename must never replace a device node or a FIFO.
. "$PB_TESTS/e2e/lib.sh"

pb csr --key file:k.pem --create --subject /CN=x --out k.csr
note "a FIFO stays a FIFO and gets the CSR"
mkfifo fifo
timeout 10 cat fifo > got.csr &
pb csr --key file:k.pem --subject /CN=x --out fifo
wait
[ -p fifo ] || fail "the FIFO was replaced"
grep -q "BEGIN CERTIFICATE REQUEST" got.csr || fail "nothing came through the FIFO"

note "a null device (made here, not the system's) stays a device"
if mknod -m 666 nulldev c 1 3 2>/dev/null; then
	pb csr --key file:k.pem --subject /CN=x --out nulldev
	[ -c nulldev ] || fail "the device node was replaced by a file"
fi
