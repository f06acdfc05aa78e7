# --json: every listing and status output is one JSON object with the keys
# README.md documents, valid whatever the names hold.
. "$PB_TESTS/e2e/lib.sh"
gate_tpm

json_ok() {  # FILE: python3 -m json.tool accepts it, and it is one object
	python3 -m json.tool "$1" > /dev/null || { cat "$1"; fail "$1 is not JSON"; }
	python3 -c 'import json,sys; assert isinstance(json.load(open(sys.argv[1])), dict)' "$1" \
		|| { cat "$1"; fail "$1 is not one object"; }
}
# FILE PYTHON-EXPR: the expression over j (the parsed file) holds
json_check() {
	python3 -c 'import json,sys; j = json.load(open(sys.argv[1])); assert eval(sys.argv[2]), j' "$1" "$2" \
		|| { cat "$1"; fail "$1: $2"; }
}

note "provbox --list --json: version, flavour, applets with summaries"
pb --list --json > list.json
json_ok list.json
pb --list > list.txt
json_check list.json "[a['name'] for a in j['applets']] == open('list.txt').read().split()"
json_check list.json "all(a['summary'] for a in j['applets']) and j['flavour'] in ('sim', 'target') and j['version']"
expect_exit 2 pb --list --xml

note "token list --json: empty, then tokens with failed attempts and containers"
pb token list --json > empty.json
json_ok empty.json
json_check empty.json "j == {'tokens': []}"
PROVBOX_PIN=pin-one1 pb token create $PB_TPM_OPT > /dev/null
PROVBOX_PIN=pin-one1 pb token wrap --name rootfs > /dev/null
PROVBOX_PIN=pin-two2 pb token create $PB_TPM_OPT --name other > /dev/null
expect_exit 4 env PROVBOX_PIN=wrong-pin "$PROVBOX" token unlock --name other
pb token list --json > tokens.json
json_ok tokens.json
json_check tokens.json "sorted(t['name'] for t in j['tokens']) == ['device', 'other']"
json_check tokens.json "{t['name']: (t['failed_attempts'], t['containers']) for t in j['tokens']} == {'device': (0, ['rootfs']), 'other': (1, [])}"

note "csr --show --json: subject (quotes and UTF-8 intact), key, signature, key id"
pb csr --key file:dev.key --create --subject '/CN=serial:"2026" caf'"$(printf '\303\251')"'/O=Acme' --out dev.csr
pb csr --show dev.csr --json > csr.json
json_ok csr.json
json_check csr.json "j['subject'] == '/CN=serial:\"2026\" caf\u00e9/O=Acme'"
json_check csr.json "j['key'] == 'ec-p256' and j['signature'] == 'ecdsa-with-SHA256' and j['subject_alt_names'] == []"
openssl req -in dev.csr -noout -pubkey | openssl pkey -pubin -outform DER | tail -c 65 | openssl sha1 -binary \
	| od -An -tx1 | tr -s ' \n' ':' | sed 's/^://; s/:$//' > keyid.txt
json_check csr.json "j['key_identifier'] == open('keyid.txt').read().strip()"

note "--json goes with --show only"
expect_exit 2 pb csr --verify dev.csr --json
expect_exit 2 pb csr --key file:dev.key --subject /CN=x --json
