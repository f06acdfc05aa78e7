# TPM backend failures that need no TPM at all: each one clear line with
# the right exit code, nothing written. Runs in both flavours.
. "$PB_TESTS/e2e/lib.sh"

bad() {   # bad EXIT MESSAGE ARGS...: csr with ARGS fails so
	code=$1 msg=$2; shift 2
	expect_exit "$code" pb csr "$@" --subject /CN=x --out out.csr
	expect_one_line_error csr
	expect_stderr "$msg"
	[ ! -e out.csr ] || fail "a failed csr wrote its output"
}

note "malformed handles: exit 2"
bad 2 "TPM handle must be a persistent handle" --key tpm:81000002
bad 2 "TPM handle must be a persistent handle" --key tpm:0x80000001
bad 2 "TPM handle must be a persistent handle" --key tpm:0x81000002junk

note "malformed --tpm: exit 2"
bad 2 "expected sim, swtpm:host=H,port=P or device:/dev/tpmrm0" --tpm nosuch --key tpm:0x81000002
bad 2 "--tpm port 0: out of range" --tpm swtpm:port=0 --key tpm:0x81000002
bad 2 "srk must be ec-p256 or rsa-2048" --tpm sim:srk=dsa --key tpm:0x81000002

note "a missing TPM device: exit 1"
bad 1 "tpm backend: /dev/nonexistent-tpmrm0: No such file or directory" \
	--tpm device:/dev/nonexistent-tpmrm0 --key tpm:0x81000002

note "a refused swtpm port: exit 1"
port=$(free_port)
bad 1 "tpm backend: swtpm 127.0.0.1:$port: cannot connect" --tpm "swtpm:port=$port" --key tpm:0x81000002

note "usage errors"
bad 2 "missing --key" --create
bad 2 "--alg and --force go with --create" --key tpm:0x81000002 --alg rsa-2048
expect_exit 2 pb csr --key tpm:0x81000002 --out out.csr
expect_stderr "missing --subject"
expect_exit 2 pb csr --key tpm:0x81000002 --subject /XX=1 --out out.csr
expect_one_line_error csr
expect_stderr "subject '/XX=1': unknown attribute type"
expect_exit 2 pb csr --show
expect_one_line_error csr

if [ "${PB_E2E_TARGET:-0}" = 1 ]; then
	note "SIM=0: the simulator is not there, and says so"
	bad 1 "simulator not in this build (SIM=0); use --tpm device:... or swtpm:..." --key tpm:0x81000002
	bad 1 "simulator not in this build" --tpm sim --key tpm:0x81000002
	[ ! -e "$PROVBOX_STATE/tpm" ] || fail "SIM=0 build made a TPM state"
fi
