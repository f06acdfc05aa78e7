#!/bin/sh
# fuzz/COVERAGE.md from merged profile data (see `make coverage`):
# per-file line and branch coverage of core/, hal/ and sim/, the parser
# files of fuzz/parsers.txt against their targets, and core/ as a whole.
# Usage: fuzz/coverage-report.sh PROFDATA BINARY... > fuzz/COVERAGE.md
set -eu
prof=$1; shift
first=$1; shift
objs=""
for b in "$@"; do objs="$objs -object $b"; done
: "${LLVM_COV:=llvm-cov}"
# shellcheck disable=SC2086
"$LLVM_COV" export -format=text -summary-only -instr-profile "$prof" "$first" $objs > "${prof%.profdata}.json"
python3 - "${prof%.profdata}.json" "$(dirname "$0")/parsers.txt" "$(cd "$(dirname "$0")/.." && pwd)" "$# + 1" <<'PY'
import json, os, sys, time
data = json.load(open(sys.argv[1]))
top = sys.argv[3] + '/'
parsers = [l.strip() for l in open(sys.argv[2]) if l.strip() and not l.startswith('#')]
rows = {}
for f in data['data'][0]['files']:
    name = f['filename']
    name = name[len(top):] if name.startswith(top) else name
    if name.split('/')[0] not in ('core', 'hal', 'sim') or not name.endswith('.c'):
        continue
    s = f['summary']
    rows[name] = (s['lines']['covered'], s['lines']['count'], s['branches']['covered'], s['branches']['count'])
def pct(a, b):
    return 100.0 * a / b if b else 100.0
print('# Fuzz corpus coverage\n')
print('Made by `make coverage` on %s (UTC): clang source-based coverage (llvm-cov) of every' %
      time.strftime('%Y-%m-%d %H:%M', time.gmtime()))
print('harness replaying its committed `fuzz/corpus/NAME/` and `fuzz/regress/NAME/` once, no fuzzing.')
print('Targets: parser files (fuzz/parsers.txt) >= 90% lines and >= 80% branches; core/ >= 80% lines.\n')
tot = [0, 0, 0, 0]
for n, r in rows.items():
    if n.startswith('core/'):
        tot = [a + b for a, b in zip(tot, r)]
print('## Summary\n')
met = []
for p in parsers:
    if p not in rows:
        print('- %s: not linked into any harness (no coverage)' % p)
        met.append(False)
        continue
    lc, lt, bc, bt = rows[p]
    ok = pct(lc, lt) >= 90 and pct(bc, bt) >= 80
    met.append(ok)
    print('- %s: lines %.1f%%, branches %.1f%% %s' % (p, pct(lc, lt), pct(bc, bt), 'met' if ok else '**below target**'))
print('- core/ as a whole: lines %.1f%% (%d/%d), branches %.1f%% (%d/%d) %s' % (
    pct(tot[0], tot[1]), tot[0], tot[1], pct(tot[2], tot[3]), tot[2], tot[3],
    'met' if pct(tot[0], tot[1]) >= 80 else '**below target**'))
print('- parser files meeting both targets: %d of %d\n' % (sum(met), len(met)))
print('## Per file\n')
print('| file | lines | lines % | branches | branches % | parser |')
print('|---|---|---|---|---|---|')
for n in sorted(rows):
    lc, lt, bc, bt = rows[n]
    print('| %s | %d/%d | %.1f | %d/%d | %.1f | %s |' % (n, lc, lt, pct(lc, lt), bc, bt, pct(bc, bt),
          'yes' if n in parsers else ''))
print()
PY
