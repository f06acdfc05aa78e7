#!/bin/sh
# Crafted seeds for the error paths no real file reaches: DER nesting past
# DER_MAX_DEPTH, pathlen > 255, more than 64 extensions, a repeated
# extension, a second extensionRequest and a SAN requested twice, RSA-4096
# keys, ENCRYPTED PRIVATE KEY PEM, PKCS#12 with a second key or more than 8
# certificates, PBES2 with a wrong IV size / key length / PRF / KDF, and
# the PBE algorithm identifiers of fuzz_pbes2. openssl makes the real
# files; a small python3 DER splicer edits them. Every file is named
# crafted-WHAT so that a rerun replaces it. Usage: fuzz/make_crafted_corpus.sh
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
c=$top/fuzz/corpus
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
mkdir -p "$c/der" "$c/x509" "$c/csr" "$c/key" "$c/pkcs12" "$c/pbes2" "$c/name" "$c/pem"
q() { "$@" >/dev/null 2>&1; }

# --- real material
q openssl genpkey -algorithm ec -pkeyopt ec_paramgen_curve:P-256 -out ec.pem
q openssl genpkey -algorithm rsa -pkeyopt rsa_keygen_bits:4096 -out rsa4096.pem
q openssl req -x509 -key ec.pem -subj /CN=crafted -days 30 -outform DER -out ec.der \
	-addext "basicConstraints=critical,CA:TRUE" -addext "subjectKeyIdentifier=hash"
q openssl req -x509 -key ec.pem -subj /CN=pathlen -days 30 -outform DER -out pathlen300.der \
	-addext "basicConstraints=critical,CA:TRUE,pathlen:300"
q openssl req -x509 -key rsa4096.pem -subj /CN=rsa4096 -days 30 -out rsa4096.crt
q openssl req -new -key rsa4096.pem -subj /CN=rsa4096 -out rsa4096.csr
q openssl req -new -key ec.pem -subj /CN=extreq -outform DER -out san.csr \
	-addext "subjectAltName=DNS:a.example" -addext "keyUsage=digitalSignature"
cp pathlen300.der "$c/x509/crafted-pathlen300"
cp rsa4096.crt "$c/x509/crafted-rsa4096"
cp rsa4096.csr "$c/csr/crafted-rsa4096"
cp rsa4096.pem "$c/key/crafted-rsa4096.pem"
q openssl pkey -in rsa4096.pem -outform DER -out "$c/key/crafted-rsa4096.der"
q openssl pkey -in rsa4096.pem -pubout -out "$c/key/crafted-rsa4096-pub.pem"
q openssl pkcs8 -topk8 -in ec.pem -v2 aes-256-cbc -passout pass:fuzz -out "$c/key/crafted-encrypted.pem"
cp "$c/key/crafted-encrypted.pem" "$c/pem/crafted-encrypted.pem"
q openssl pkey -in rsa4096.pem -traditional -out trad.pem
cp trad.pem "$c/key/crafted-traditional-rsa.pem"
# PEM before/after noise, two blocks, a cert where a key goes
{ echo "garbage line"; cat ec.pem; cat rsa4096.crt; } > "$c/key/crafted-ec-noise.pem"
{ openssl ecparam -name prime256v1; cat ec.pem; } > "$c/key/crafted-ecparams-first.pem" 2>/dev/null
cp rsa4096.crt "$c/key/crafted-cert-not-key.pem"

# PBE algorithm identifiers followed by their ciphertext (fuzz_pbes2's input)
for v in "-v2 aes-128-cbc -iter 1" "-v2 aes-256-cbc -iter 2" "-v2 des3 -iter 1" \
	 "-v2 aes-192-cbc -v2prf hmacWithSHA512 -iter 1" "-v2 aes-256-cbc -v2prf hmacWithSHA1 -iter 1" \
	 "-v2 aes-128-cbc -v2prf hmacWithSHA384 -iter 1" "-v2 aes-128-cbc -v2prf hmacWithSHA224 -iter 1" \
	 "-v1 PBE-SHA1-3DES -iter 1" "-v1 PBE-SHA1-2DES -iter 1" "-v1 PBE-SHA1-RC2-40 -iter 1" \
	 "-v1 PBE-SHA1-RC4-128 -iter 1" "-scrypt" "-v2 aes-256-cbc -iter 100000" "-v2 aria-128-cbc -iter 1"; do
	n=$(echo "$v" | tr -c 'a-zA-Z0-9\n' _)
	q openssl pkcs8 -topk8 -in ec.pem $v -passout pass:fuzz -outform DER -out "p8$n.der" || continue
	cp "p8$n.der" "epki$n.der"
done

# PKCS#12: nine certificates (one too many), and a plain one to splice a second key into
for i in 1 2 3 4 5 6 7 8 9; do
	q openssl req -x509 -key ec.pem -subj "/CN=chain$i" -days 30 -out ch$i.pem
	cat ch$i.pem >> chain9.pem
done
openssl req -x509 -key ec.pem -subj /CN=p12 -days 30 -out ec.crt 2>/dev/null
q openssl pkcs12 -export -inkey ec.pem -in ec.crt -certfile chain9.pem -passout pass:fuzz -noiter -nomaciter \
	-out "$c/pkcs12/crafted-certs-10.p12"
q openssl pkcs12 -export -inkey ec.pem -in ec.crt -passout pass:fuzz -keypbe NONE -certpbe NONE -nomac -out plain.p12
q openssl pkcs12 -export -inkey rsa4096.pem -in rsa4096.crt -passout pass:fuzz -noiter -nomaciter \
	-out "$c/pkcs12/crafted-rsa4096.p12"

python3 - "$c" <<'PY'
import glob, os, sys
c = sys.argv[1]

def enc_len(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, 'big')
    return bytes([0x80 | len(b)]) + b

def tlv(tag, content):
    return bytes([tag]) + enc_len(len(content)) + content

def parse(b):
    """Top-level elements of b: [(tag, content)] (single-byte tags)."""
    out, i = [], 0
    while i < len(b):
        tag, l = b[i], b[i + 1]
        i += 2
        if l & 0x80:
            k = l & 0x7f
            l = int.from_bytes(b[i:i + k], 'big')
            i += k
        out.append((tag, b[i:i + l]))
        i += l
    return out

def build(elems):
    return b''.join(tlv(t, v) for t, v in elems)

def put(kind, name, data):
    with open(os.path.join(c, kind, 'crafted-' + name), 'wb') as f:
        f.write(data)

def oid(dotted):
    a = [int(x) for x in dotted.split('.')]
    out = bytes([a[0] * 40 + a[1]])
    for v in a[2:]:
        s = [v & 0x7f]
        v >>= 7
        while v:
            s.append(0x80 | (v & 0x7f))
            v >>= 7
        out += bytes(reversed(s))
    return tlv(0x06, out)

def nested(depth, inner=b'\x05\x00'):
    for _ in range(depth):
        inner = tlv(0x30, inner)
    return inner

# --- DER: nesting around the limit (32), lengths past the end, long forms
for d in (31, 32, 33, 40, 200):
    put('der', 'nest%d' % d, nested(d))
put('der', 'len-past-end', b'\x30\x10\x02\x01\x01')
put('der', 'len-huge', b'\x04\x84\xff\xff\xff\xf0abc')
put('der', 'len-nonminimal', b'\x04\x81\x01a')
put('der', 'len-indefinite', b'\x30\x80\x05\x00\x00\x00')
put('der', 'tag-highform', b'\x1f\x81\x00\x00')
put('der', 'int-nonminimal', b'\x02\x02\x00\x01')
put('der', 'int-neg', b'\x02\x01\xff')
put('der', 'int-big', b'\x02\x09\x01' + b'\x00' * 8)
put('der', 'bool-bad', b'\x01\x01\x01')
put('der', 'bits-unused8', b'\x03\x02\x08\x00')
put('der', 'gentime', b'\x18\x0f20500101000000Z')
put('der', 'gentime-leap', b'\x18\x0f20240229235959Z')
put('der', 'utctime-bad-month', b'\x17\x0d991301000000Z')
put('der', 'oid-long-arc', oid('1.2.840.113549.1.1.11') + b'\x06\x0b\x2a\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f')
put('der', 'strings', tlv(0x30, tlv(0x13, b'Printable') + tlv(0x16, b'ia5@x') + tlv(0x0c, 'Ümlaut'.encode()) +
                          tlv(0x13, b'bad*') + tlv(0x0c, b'\xc3\x28') + tlv(0x1e, b'\x00a\x00') + tlv(0x14, b't61')))

# --- X.509: extensions (cert = SEQ { tbs, algid, sig }; tbs ends with [3] { SEQ exts })
cert = parse(open('ec.der', 'rb').read())[0][1]
tbs, alg, sig = parse(cert)
tbs_elems = parse(tbs[1])
ext_i = [i for i, (t, _) in enumerate(tbs_elems) if t == 0xa3][0]
exts = parse(parse(tbs_elems[ext_i][1])[0][1])

def with_exts(extlist):
    e = list(tbs_elems)
    e[ext_i] = (0xa3, tlv(0x30, build(extlist)))
    return tlv(0x30, build([(0x30, build(e)), alg, sig]))

def ext(o, val, crit=False):
    return (0x30, oid(o) + (b'\x01\x01\xff' if crit else b'') + tlv(0x04, val))

many = exts + [ext('1.3.6.1.4.1.99999.%d' % i, b'\x05\x00') for i in range(70 - len(exts))]
put('x509', 'ext-70', with_exts(many))
put('x509', 'ext-64', with_exts(many[:64]))
put('x509', 'ext-repeated', with_exts(exts + [exts[0]]))
put('x509', 'ext-nested40', with_exts(exts + [ext('1.3.6.1.4.1.99999.1', nested(40))]))
put('x509', 'ext-unknown-critical', with_exts(exts + [ext('1.3.6.1.4.1.99999.2', b'\x05\x00', True)]))
put('x509', 'ext-pathlen256', with_exts([ext('2.5.29.19', tlv(0x30, b'\x01\x01\xff\x02\x02\x01\x00'), True)]))
put('x509', 'ext-ca-false-explicit', with_exts([ext('2.5.29.19', tlv(0x30, b'\x01\x01\x00'), True)]))
put('x509', 'ext-ku-3bytes', with_exts([ext('2.5.29.15', b'\x03\x04\x00\xff\xff\xff', True)]))
put('x509', 'ext-eku-unknown', with_exts([ext('2.5.29.37', tlv(0x30, oid('1.3.6.1.5.5.7.3.1') + oid('1.2.3.4')))]))
put('x509', 'ext-san-all', with_exts([ext('2.5.29.17', tlv(0x30,
    tlv(0x82, b'a.example') + tlv(0x81, b'a@b') + tlv(0x86, b'urn:x') + tlv(0x87, b'\x0a\x00\x00\x01') +
    tlv(0x87, b'\x00' * 16) + tlv(0x87, b'\x01\x02\x03') + tlv(0xa4, tlv(0x30, b'')) + tlv(0x88, b'\x2a\x03')))]))
put('x509', 'ext-san-empty', with_exts([ext('2.5.29.17', tlv(0x30, b''))]))
put('x509', 'ext-ski-long', with_exts([ext('2.5.29.14', tlv(0x04, b'\x01' * 65))]))
put('x509', 'ext-aki', with_exts([ext('2.5.29.35', tlv(0x30, tlv(0x80, b'\x01' * 20)))]))
put('x509', 'ext-empty-list', with_exts([]))
# version 1 with extensions, serial too long, negative serial
v = list(tbs_elems)
v[1] = (0x02, b'\x01' * 22)
put('x509', 'serial-22', tlv(0x30, build([(0x30, build(v)), alg, sig])))
v[1] = (0x02, b'\x80')
put('x509', 'serial-negative', tlv(0x30, build([(0x30, build(v)), alg, sig])))
put('x509', 'sig-alg-mismatch', tlv(0x30, build([tbs, (0x30, oid('1.2.840.113549.1.1.11') + b'\x05\x00'), sig])))
put('x509', 'trailing-byte', tlv(0x30, cert) + b'\x00')
put('x509', 'truncated', tlv(0x30, cert)[:-7])

# --- names
name = tbs_elems[3][1] if tbs_elems[0][0] == 0xa0 else tbs_elems[2][1]
put('name', 'cert-issuer', tlv(0x30, name))
rdn = lambda o, t, v: tlv(0x31, tlv(0x30, oid(o) + tlv(t, v)))
put('name', 'all-types', tlv(0x30, rdn('2.5.4.6', 0x13, b'DE') + rdn('2.5.4.10', 0x0c, b'O/rg+x\\') +
    rdn('2.5.4.11', 0x0c, b'OU') + rdn('2.5.4.3', 0x0c, b'CN \x01ctl') + rdn('2.5.4.7', 0x0c, b'L') +
    rdn('2.5.4.8', 0x0c, b'ST') + rdn('2.5.4.5', 0x13, b'123') + rdn('1.2.840.113549.1.9.1', 0x16, b'a@b') +
    rdn('1.2.3.4', 0x1e, b'\x00b') + rdn('2.5.4.3', 0x14, b't61')))
put('name', 'multivalued', tlv(0x30, tlv(0x31, tlv(0x30, oid('2.5.4.3') + tlv(0x0c, b'a')) +
    tlv(0x30, oid('2.5.4.10') + tlv(0x0c, b'b')))))
put('name', 'empty', b'\x30\x00')
put('name', 'empty-set', b'\x30\x02\x31\x00')
put('name', 'bad-printable', tlv(0x30, rdn('2.5.4.6', 0x13, b'D*')))
put('name', 'cn-long', tlv(0x30, rdn('2.5.4.3', 0x0c, b'x' * 300)))
for i, t in enumerate([b'/CN=x/O=y/C=DE', b'/CN=a\\/b/OU=u/L=l/ST=s', b'/serialNumber=2026-0001/emailAddress=a@b.c',
                       b'/CN=' + b'x' * 65, b'/C=DEU', b'/XX=y', b'CN=noslash', b'/CN=', b'/CN=\xc3\xbc',
                       b'/' + b'/CN=a' * 17, b'/C=D*', b'/CN=a\\']):
    put('name', 'text-%d' % i, t)

# --- CSR: attributes (csr = SEQ { info, algid, sig }; info = INT, Name, SPKI, [0] attrs)
csr = parse(open('san.csr', 'rb').read())[0][1]
info, calg, csig = parse(csr)
ie = parse(info[1])
attrs = parse(ie[3][1])
def with_attrs(al):
    e = list(ie)
    e[3] = (0xa0, build(al))
    return tlv(0x30, build([(0x30, build(e)), calg, csig]))
put('csr', 'extreq-twice', with_attrs(attrs + attrs))
a_oid, a_set = parse(attrs[0][1])
req_exts = parse(parse(parse(a_set[1])[0][1])[0][1] if False else parse(a_set[1])[0][1])
san = [x for x in req_exts if b'\x55\x1d\x11' in x[1][:8]]
dup = (0x30, a_oid[1] and tlv(a_oid[0], a_oid[1]) + tlv(0x31, tlv(0x30, build(req_exts + san))))
put('csr', 'san-twice', with_attrs([dup]))
put('csr', 'attr-challenge-only', with_attrs([(0x30, oid('1.2.840.113549.1.9.7') + tlv(0x31, tlv(0x0c, b'pw')))]))
put('csr', 'extreq-empty-set', with_attrs([(0x30, tlv(a_oid[0], a_oid[1]) + b'\x31\x00')]))
put('csr', 'no-attrs-tag', tlv(0x30, build([(0x30, build(ie[:3])), calg, csig])))
ie2 = list(ie); ie2[0] = (0x02, b'\x01')
put('csr', 'version-1', tlv(0x30, build([(0x30, build(ie2)), calg, csig])))

# --- PBE algids + ciphertext for fuzz_pbes2 (from openssl's EncryptedPrivateKeyInfo)
for f in glob.glob('epki*.der'):
    algid, octets = parse(parse(open(f, 'rb').read())[0][1])
    put('pbes2', f[4:-4], tlv(*algid) + octets[1])
# hand-made PBES2 parameters around AES-256-CBC
def pbes2(kdf_params, cipher_oid='2.16.840.1.101.3.4.1.42', iv=b'\x00' * 16, kdf_oid='1.2.840.113549.1.5.12'):
    return tlv(0x30, oid('1.2.840.113549.1.5.13') + tlv(0x30, tlv(0x30, oid(kdf_oid) + kdf_params) +
               tlv(0x30, oid(cipher_oid) + tlv(0x04, iv))))
salt = tlv(0x04, b'saltsalt')
prf256 = tlv(0x30, oid('1.2.840.113549.2.9') + b'\x05\x00')
ct = b'\x11' * 32
put('pbes2', 'iv-8-for-aes', pbes2(tlv(0x30, salt + b'\x02\x01\x01' + prf256), iv=b'\x00' * 8) + ct)
put('pbes2', 'iv-16-for-3des', pbes2(tlv(0x30, salt + b'\x02\x01\x01'), cipher_oid='1.2.840.113549.3.7') + ct)
put('pbes2', 'keylen-16-aes256', pbes2(tlv(0x30, salt + b'\x02\x01\x01\x02\x01\x10' + prf256)) + ct)
put('pbes2', 'keylen-32', pbes2(tlv(0x30, salt + b'\x02\x01\x01\x02\x01\x20' + prf256)) + ct)
put('pbes2', 'prf-md5', pbes2(tlv(0x30, salt + b'\x02\x01\x01' + tlv(0x30, oid('1.2.840.113549.2.5') + b'\x05\x00'))) + ct)
put('pbes2', 'prf-no-null', pbes2(tlv(0x30, salt + b'\x02\x01\x01' + tlv(0x30, oid('1.2.840.113549.2.9')))) + ct)
put('pbes2', 'iter-0', pbes2(tlv(0x30, salt + b'\x02\x01\x00' + prf256)) + ct)
put('pbes2', 'iter-huge', pbes2(tlv(0x30, salt + b'\x02\x04\x7f\xff\xff\xff' + prf256)) + ct)
put('pbes2', 'kdf-scrypt', pbes2(tlv(0x30, salt + b'\x02\x01\x01'), kdf_oid='1.3.6.1.4.1.11591.4.11') + ct)
put('pbes2', 'cipher-unknown', pbes2(tlv(0x30, salt + b'\x02\x01\x01'), cipher_oid='1.2.3.4') + ct)
put('pbes2', 'ct-not-blocks', pbes2(tlv(0x30, salt + b'\x02\x01\x01' + prf256)) + b'\x11' * 17)
put('pbes2', 'ct-empty', pbes2(tlv(0x30, salt + b'\x02\x01\x01' + prf256)))
put('pbes2', 'params-trailing', pbes2(tlv(0x30, salt + b'\x02\x01\x01' + prf256) + b'\x05\x00') + ct)
put('pbes2', 'p12pbe-salt-long', tlv(0x30, oid('1.2.840.113549.1.12.1.3') + tlv(0x30, tlv(0x04, b's' * 80) + b'\x02\x01\x01')) + ct)
put('pbes2', 'p12pbe-rc2', tlv(0x30, oid('1.2.840.113549.1.12.1.6') + tlv(0x30, salt + b'\x02\x01\x01')) + ct)
put('pbes2', 'unknown-alg', tlv(0x30, oid('1.2.3.4.5') + b'\x05\x00') + ct)

# --- PKCS#12: PFX { 3, ContentInfo(data, [0] OCTET(AuthenticatedSafe { ContentInfo... })) [, MacData] }
pfx = parse(parse(open('plain.p12', 'rb').read())[0][1])
ver, ci = pfx[0], pfx[1]
ci_oid, ci_body = parse(ci[1])
auth = parse(parse(parse(ci_body[1])[0][1])[0][1])     # ContentInfos of the AuthenticatedSafe
def p12(infos):
    a = tlv(0x30, build(infos))
    return tlv(0x30, build([ver, (0x30, tlv(*ci_oid) + tlv(0xa0, tlv(0x04, a)))]))
put('pkcs12', 'plain-nomac', p12(auth))
put('pkcs12', 'second-key', p12(auth + auth))
put('pkcs12', 'empty-authsafe', p12([]))
# a bag set nested in a bag (safeContentsBag) and an unknown bag type
safe = parse(parse(parse(auth[-1][1])[1][1])[0][1])[0]
bags = parse(safe[1])
nested_bag = (0x30, oid('1.2.840.113549.1.12.10.1.6') + tlv(0xa0, tlv(0x30, build(bags))))
unknown_bag = (0x30, oid('1.2.840.113549.1.12.10.1.5') + tlv(0xa0, tlv(0x30, oid('1.2.3') + tlv(0xa0, b'\x05\x00'))))
def info_with(bl):
    return (0x30, oid('1.2.840.113549.1.7.1') + tlv(0xa0, tlv(0x04, tlv(0x30, build(bl)))))
put('pkcs12', 'nested-safecontents', p12(auth[:-1] + [info_with([nested_bag])]))
put('pkcs12', 'unknown-bag', p12(auth + [info_with([unknown_bag])]))
put('pkcs12', 'enveloped', p12([(0x30, oid('1.2.840.113549.1.7.3') + tlv(0xa0, b'\x30\x00'))]))
put('pkcs12', 'version-2', tlv(0x30, build([(0x02, b'\x02'), pfx[1]])))
PY
ls "$c/pbes2" | wc -l
