#!/usr/bin/env python3
"""Score kvlint on the corpus against the // EXPECT and // DEBATABLE markers.

usage: python3 score.py [--vet] KVLINT [DIR]

DIR is a folder of corpus modules; the default is the folder of this script.
With --vet, each module is analysed as go vet does, one package at a time,
given the storage ports that `KVLINT --print-interfaces` finds.

A marker "// EXPECT a" or "// EXPECT a|b" on a line says an expert expects a
finding of analyzer a (or b) on that line; "// DEBATABLE a" marks a case that
is counted separately (neither TP/FP nor FN).
"""
import collections, json, os, re, subprocess, sys

VET = '--vet' in sys.argv
if VET:
    sys.argv.remove('--vet')
ROOT = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else os.path.dirname(os.path.abspath(__file__))
MODULES = sorted(d for d in os.listdir(ROOT) if os.path.exists(os.path.join(ROOT, d, 'go.mod')))
ANALYZERS = ['kvttl', 'kvrace', 'kvcounter', 'kvsession', 'kvlist', 'kvhotkey', 'kvlimits', 'kvnull']

def main():
    binary = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else 'kvlint'
    exp = {}
    for m in MODULES:
        for dp, _, fs in os.walk(os.path.join(ROOT, m)):
            for f in fs:
                if not f.endswith('.go'):
                    continue
                p = os.path.join(dp, f)
                rel = os.path.relpath(p, os.path.join(ROOT, m))
                for i, l in enumerate(open(p), 1):
                    mm = re.search(r'//\s*(EXPECT|DEBATABLE)\s+([\w|]+)', l)
                    if mm:
                        exp[(m, rel, i)] = (mm.group(1), set(mm.group(2).split('|')))
    finds = []
    for m in MODULES:
        if VET:
            finds += vet(binary, m)
            continue
        out = subprocess.run([binary, '-C', os.path.join(ROOT, m), './...'],
                             capture_output=True, text=True).stdout
        for l in out.splitlines():
            mm = re.match(r'^(\S+?\.go):(\d+):(\d+): (\w+): (.*)', l)
            if mm:
                finds.append((m, mm.group(1), int(mm.group(2)), mm.group(4), mm.group(5)))
    tp, fp, fn = collections.Counter(), collections.Counter(), collections.Counter()
    matched, rows = set(), []
    for (m, f, ln, a, msg) in finds:
        e = exp.get((m, f, ln))
        if e and a in e[1]:
            matched.add((m, f, ln))
            if e[0] == 'EXPECT':
                tp[a] += 1
                rows.append(('TP', a, f'{m}/{f}:{ln}', ''))
            else:
                rows.append(('DEBATABLE-REPORTED', a, f'{m}/{f}:{ln}', ''))
        else:
            fp[a] += 1
            rows.append(('FP', a, f'{m}/{f}:{ln}', msg[:100]))
    for k, (kind, an) in sorted(exp.items()):
        if k in matched:
            continue
        name = '|'.join(sorted(an))
        if kind == 'EXPECT':
            fn[sorted(an)[0]] += 1
            rows.append(('FN', name, '%s/%s:%d' % k, ''))
        else:
            rows.append(('DEBATABLE-SILENT', name, '%s/%s:%d' % k, ''))
    for r in sorted(rows):
        print(*r)
    print()
    print('%-10s %3s %3s %3s %6s %6s' % ('analyzer', 'TP', 'FP', 'FN', 'prec', 'recall'))
    for a in ANALYZERS:
        p = tp[a] / (tp[a] + fp[a]) if tp[a] + fp[a] else float('nan')
        r = tp[a] / (tp[a] + fn[a]) if tp[a] + fn[a] else float('nan')
        print('%-10s %3d %3d %3d %6.3f %6.3f' % (a, tp[a], fp[a], fn[a], p, r))

def vet(binary, m):
    """Findings of go vet -vettool=binary on module m, with the storage
    ports the binary prints, as (module, file, line, analyzer, message)."""
    d = os.path.realpath(os.path.join(ROOT, m))  # as go vet names files
    # A module with a Worker is vetted for js/wasm as well as for the host:
    # its backend packages may be built only for the host (//go:build !js).
    envs = [dict(os.environ)]
    if 'github.com/syumai/workers' in open(os.path.join(d, 'go.mod')).read():
        envs.append(dict(os.environ, GOOS='js', GOARCH='wasm'))
    objs = []
    for env in envs:
        objs += vet_json(binary, m, d, env)
    finds, seen = [], set()
    for chunk in objs:
        for pkg in chunk.values():
            for analyzer, diags in pkg.items():
                if not isinstance(diags, list):
                    continue
                for diag in diags:
                    posn = diag['posn']
                    mm = re.match(r'^(.*\.go):(\d+):\d+$', posn)
                    if not mm:
                        continue
                    key = (os.path.relpath(mm.group(1), d), int(mm.group(2)), analyzer)
                    if key not in seen:  # test variants repeat a package's findings
                        seen.add(key)
                        finds.append((m, key[0], key[1], analyzer, diag['message']))
    return finds

def vet_json(binary, m, d, env):
    """The JSON objects go vet -json prints for module m in d, run with env."""
    ifaces = subprocess.run([binary, '-C', d, '--print-interfaces', './...'],
                            capture_output=True, text=True).stdout.strip()
    # Only the packages that build for env's platform, as a user vets a
    # Worker's packages for js/wasm: go vet stops at the first package
    # that cannot load (a backend's cgo-free SQLite driver on js).
    pkgs = subprocess.run(['go', 'list', '-e', '-f', '{{if and (not .Error) (not .DepsErrors)}}{{.ImportPath}}{{end}}', './...'],
                          cwd=d, env=env, capture_output=True, text=True).stdout.split()
    if not pkgs:
        return []
    # go vet -json prints a stream of JSON objects, one per package, with
    # "# pkg" lines between some of them. The packages' vet runs write
    # concurrently, and now and then their output interleaves: run again.
    for attempt in range(3):
        out = subprocess.run(['go', 'vet', '-json', '-vettool=' + binary, '-kvapi.interfaces=' + ifaces] + pkgs,
                             cwd=d, env=env, capture_output=True, text=True)
        out = out.stdout + out.stderr
        objs, dec, i = [], json.JSONDecoder(), 0
        try:
            while True:
                i = out.find('{', i)
                if i < 0:
                    break
                obj, i = dec.raw_decode(out, i)
                objs.append(obj)
            break
        except json.JSONDecodeError:
            if attempt == 2:
                # Not interleaving but a vettool that crashed: what it
                # printed before is all there is.
                print('score.py: go vet output of %s is not JSON after %d objects; scoring those' % (m, len(objs)), file=sys.stderr)
    return objs

if __name__ == '__main__':
    main()
