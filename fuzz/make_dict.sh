#!/bin/sh
# Regenerate fuzz/asn1.dict, the libFuzzer dictionary of the DER-ish
# harnesses (see FUZZ_DICT in the Makefile): every OID of core/asn1/oid.h as
# a complete OBJECT IDENTIFIER element, plus identifier octets, length forms,
# times, PEM armour and PKCS#12 / PBE constants. Usage: fuzz/make_dict.sh
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
python3 - "$top/core/asn1/oid.h" > "$top/fuzz/asn1.dict" <<'PY'
import re, sys
def q(b):
    return '"' + ''.join('\\x%02x' % x for x in b) + '"'
print('# ASN.1 / DER dictionary for provbox fuzzers; made by fuzz/make_dict.sh')
for name, body in re.findall(r'#define (OID_\w+)\s+"([^"]*)"', open(sys.argv[1]).read()):
    raw = bytes(int(h, 16) for h in re.findall(r'\\x([0-9A-Fa-f]{2})', body))
    print('%s=%s' % (name.lower(), q(bytes([6, len(raw)]) + raw)))
tags = {'seq': 0x30, 'set': 0x31, 'int': 0x02, 'bits': 0x03, 'octets': 0x04, 'null': 0x05, 'oid': 0x06,
        'utf8': 0x0c, 'printable': 0x13, 't61': 0x14, 'ia5': 0x16, 'utctime': 0x17, 'gentime': 0x18,
        'bmp': 0x1e, 'ctx0': 0xa0, 'ctx1': 0xa1, 'ctx3': 0xa3, 'ctxp0': 0x80, 'ctxp2': 0x82, 'bool': 0x01}
for k, v in tags.items():
    print('tag_%s=%s' % (k, q(bytes([v]))))
for k, v in {'len81': b'\x81\x80', 'len82': b'\x82\x01\x00', 'len83': b'\x83\x01\x00\x00',
             'len84': b'\x84\x7f\xff\xff\xff', 'len_indef': b'\x80', 'null': b'\x05\x00',
             'true': b'\x01\x01\xff', 'false': b'\x01\x01\x00', 'int0': b'\x02\x01\x00',
             'int3': b'\x02\x01\x03', 'int_neg': b'\x02\x01\x80', 'v3': b'\xa0\x03\x02\x01\x02',
             'empty_seq': b'\x30\x00', 'empty_set': b'\x31\x00'}.items():
    print('%s=%s' % (k, q(v)))
for s in ['250101000000Z', '20500101000000Z', '99991231235959Z', '-----BEGIN ', '-----END ', '-----',
          'CERTIFICATE', 'CERTIFICATE REQUEST', 'PRIVATE KEY', 'EC PRIVATE KEY', 'RSA PRIVATE KEY',
          'PUBLIC KEY', 'ENCRYPTED PRIVATE KEY', 'NEW CERTIFICATE REQUEST']:
    print('s_%s=%s' % (re.sub(r'\W', '_', s).strip('_').lower() or 'dash', q(s.encode())))
PY
