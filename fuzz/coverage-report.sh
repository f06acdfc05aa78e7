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
# per-function figures of the parser files that name their parsing functions
top=$(cd "$(dirname "$0")/.." && pwd)
grep -v '^#' "$(dirname "$0")/parsers.txt" | while read -r f funcs; do
	[ -n "$funcs" ] || continue
	# shellcheck disable=SC2086
	"$LLVM_COV" report --show-functions -instr-profile "$prof" "$first" $objs "$top/$f" 2>/dev/null |
		awk -v f="$f" '{ print f, $0 }'
done > "${prof%.profdata}.functions"
python3 - "${prof%.profdata}.json" "$(dirname "$0")/parsers.txt" "$top" "${prof%.profdata}.functions" <<'PY'
import json, os, sys, time
data = json.load(open(sys.argv[1]))
top = sys.argv[3] + '/'
entries = [l.split() for l in open(sys.argv[2]) if l.strip() and not l.startswith('#')]
parsers = [e[0] for e in entries]
funcs = {e[0]: e[1:] for e in entries if len(e) > 1}
# "FILE NAME Regions Miss Cover Lines Miss Cover Branches Miss Cover" rows
fn_rows = {}
for l in open(sys.argv[4]):
    w = l.split()
    if len(w) == 11 and w[2].isdigit():
        fn_rows.setdefault(w[0], {})[w[1].split(':')[-1]] = (int(w[5]), int(w[6]), int(w[8]), int(w[9]))
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
print('Targets: parser files (fuzz/parsers.txt) >= 90% lines and >= 80% branches (where the file names')
print('its parsing functions, over those functions only); core/ as a whole >= 80% lines.\n')
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
    what = ''
    if p in funcs:
        # only the parsing functions count: (lines, missed, branches, missed) summed
        got = [fn_rows.get(p, {}).get(n) for n in funcs[p]]
        lt = sum(g[0] for g in got if g); lc = lt - sum(g[1] for g in got if g)
        bt = sum(g[2] for g in got if g); bc = bt - sum(g[3] for g in got if g)
        missing = [n for n, g in zip(funcs[p], got) if g is None]
        what = ' (parsing functions: %s%s)' % (', '.join(funcs[p]),
                                             '; not found: ' + ', '.join(missing) if missing else '')
    ok = pct(lc, lt) >= 90 and pct(bc, bt) >= 80
    met.append(ok)
    print('- %s%s: lines %.1f%% (%d/%d), branches %.1f%% (%d/%d) %s' % (p, what, pct(lc, lt), lc, lt,
          pct(bc, bt), bc, bt, 'met' if ok else '**below target**'))
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
