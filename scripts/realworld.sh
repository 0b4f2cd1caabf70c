#!/usr/bin/env bash
# Real-world evaluation of kvlint against the repositories listed in
# testdata/realworld.tsv (see testdata/realworld.md).
#
# usage: scripts/realworld.sh KVLINT_BINARY TREES_DIR
#
# TREES_DIR holds one working tree per repository, named owner+name (for
# example TREES_DIR/otakakot+openid-connect), extracted at the commit given in
# the TSV. For each repository the script runs
#   KVLINT_BINARY -C TREES_DIR/owner+name/<module-dir> --format json ./...
# and compares the findings with the TSV: EXPECT rows found/missed, FINE rows
# quiet/flagged, and every other finding. A final summary gives repositories
# loaded, expectations found per rule and FINE rows flagged.
#
# Environment: REALWORLD_TIMEOUT (seconds per repository, default 900),
# REALWORLD_NEAR (line tolerance for "near" matches, default 3).
set -euo pipefail

if [ "$#" -ne 2 ]; then
	echo "usage: $0 KVLINT_BINARY TREES_DIR" >&2
	exit 2
fi

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tsv="$here/../testdata/realworld.tsv"
bin="$1"
trees="$2"

case "$bin" in
*/*) bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")" ;;
*) bin="$(command -v "$bin" || true)" ;;
esac
if [ -z "$bin" ] || [ ! -x "$bin" ]; then
	echo "realworld: kvlint binary not found or not executable: $1" >&2
	exit 2
fi
if [ ! -d "$trees" ]; then
	echo "realworld: trees directory not found: $trees" >&2
	exit 2
fi
trees="$(cd "$trees" && pwd)"
if [ ! -f "$tsv" ]; then
	echo "realworld: $tsv not found" >&2
	exit 2
fi
command -v python3 >/dev/null || { echo "realworld: python3 is required" >&2; exit 2; }

exec python3 - "$bin" "$trees" "$tsv" <<'PY'
import json
import os
import subprocess
import sys
from collections import OrderedDict, defaultdict

binary, trees, tsv = sys.argv[1], sys.argv[2], sys.argv[3]
TIMEOUT = int(os.environ.get("REALWORLD_TIMEOUT", "900"))
NEAR = int(os.environ.get("REALWORLD_NEAR", "3"))
RULES = ["kvttl", "kvrace", "kvcounter", "kvsession", "kvlist", "kvhotkey", "kvlimits", "kvnull"]

# --- read the expectations -------------------------------------------------
groups = OrderedDict()  # (repo, commit, moddir) -> [row]
with open(tsv, encoding="utf-8") as fh:
    for n, raw in enumerate(fh, 1):
        raw = raw.rstrip("\n")
        if not raw.strip() or raw.startswith("#"):
            continue
        parts = raw.split("\t")
        if len(parts) < 8:
            print(f"realworld: {tsv}:{n}: expected 8 tab-separated fields, got {len(parts)}", file=sys.stderr)
            sys.exit(2)
        repo, commit, moddir, path, line, rule, kind, reason = parts[:8]
        row = dict(repo=repo, commit=commit, moddir=moddir, file=os.path.normpath(path),
                   line=int(line), rule=rule, kind=kind.upper(), reason=reason)
        groups.setdefault((repo, commit, moddir), []).append(row)


# --- parse kvlint's JSON (go vet -json shaped) -----------------------------
def json_objects(text):
    """Yield every top-level JSON value in text, skipping '#' comment lines and noise."""
    text = "\n".join(l for l in text.splitlines() if not l.lstrip().startswith("#"))
    dec = json.JSONDecoder()
    i, n = 0, len(text)
    while i < n:
        j = text.find("{", i)
        if j < 0:
            return
        try:
            obj, end = dec.raw_decode(text, j)
        except ValueError:
            i = j + 1
            continue
        yield obj
        i = end


def split_posn(posn):
    # "file:line:col" or "file:line"; file may itself contain ':'.
    bits = posn.rsplit(":", 2)
    if len(bits) == 3 and bits[1].isdigit() and bits[2].isdigit():
        return bits[0], int(bits[1])
    bits = posn.rsplit(":", 1)
    if len(bits) == 2 and bits[1].isdigit():
        return bits[0], int(bits[1])
    return posn, 0


def relpath(fname, base):
    if not fname:
        return fname
    full = fname if os.path.isabs(fname) else os.path.join(base, fname)
    full = os.path.realpath(full)
    rbase = os.path.realpath(base)
    if full == rbase or full.startswith(rbase + os.sep):
        return os.path.relpath(full, rbase)
    return full


def collect(stdout, lintdir):
    findings, errors = [], []
    for obj in json_objects(stdout):
        if not isinstance(obj, dict):
            continue
        for pkg, per in obj.items():
            if not isinstance(per, dict):
                continue  # other top-level keys (metadata, version, ...)
            for analyzer, diags in per.items():
                if isinstance(diags, dict):
                    if "error" in diags:
                        errors.append(f"{pkg}: {analyzer}: {diags['error']}")
                    continue
                if not isinstance(diags, list):
                    continue
                for d in diags:
                    if not isinstance(d, dict) or "posn" not in d:
                        continue
                    f, ln = split_posn(str(d["posn"]))
                    findings.append(dict(rule=analyzer, file=os.path.normpath(relpath(f, lintdir)),
                                         line=ln, message=str(d.get("message", "")), pkg=pkg))
    # the same diagnostic can appear twice (package and its test variant)
    seen, uniq = set(), []
    for f in findings:
        k = (f["rule"], f["file"], f["line"], f["message"])
        if k not in seen:
            seen.add(k)
            uniq.append(f)
    return uniq, errors


# --- run -------------------------------------------------------------------
tot = defaultdict(lambda: [0, 0, 0])  # rule -> [found, near, total] for EXPECT rows
fine_tot = defaultdict(lambda: [0, 0])  # rule -> [flagged, total]
repos_total = repos_loaded = 0
other_total = 0
missing_trees = []

for (repo, commit, moddir), rows in groups.items():
    repos_total += 1
    name = repo.replace("/", "+")
    tree = os.path.join(trees, name)
    lintdir = os.path.normpath(os.path.join(tree, moddir))
    print(f"== {repo} @ {commit[:12]}  ({moddir if moddir != '.' else 'module root'})")
    for r in rows:
        if r["kind"] == "EXPECT":
            tot[r["rule"]][2] += 1
        else:
            fine_tot[r["rule"]][1] += 1
    if not os.path.isdir(lintdir):
        print(f"   MISSING tree: {os.path.normpath(os.path.join(name, moddir))} not found under TREES_DIR")
        missing_trees.append(repo)
        for r in rows:
            tag = "missed" if r["kind"] == "EXPECT" else "quiet?"
            print(f"   {r['kind']:6} {tag:7} {r['rule']:9} {r['file']}:{r['line']}  (tree missing)")
        continue
    if os.path.isdir(os.path.join(tree, ".git")):
        try:
            head = subprocess.run(["git", "-C", tree, "rev-parse", "HEAD"], capture_output=True,
                                  text=True, timeout=30).stdout.strip()
            if head and head != commit:
                print(f"   warning: tree is at {head[:12]}, the TSV expects {commit[:12]}")
        except Exception:
            pass

    cmd = [binary, "-C", lintdir, "--format", "json", "./..."]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT)
        rc, out, err = p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as e:
        rc = "timeout"
        out = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
        err = f"no result within {TIMEOUT}s"
    findings, errors = collect(out, lintdir)
    first_err = next((l.strip() for l in (err or "").splitlines() if l.strip()), "")
    if rc in (0, 1):
        repos_loaded += 1
        print(f"   loaded (exit {rc}), {len(findings)} finding(s)")
    else:
        print(f"   FAILED (exit {rc}): {first_err or '(no stderr)'}")
        if findings:
            print(f"   ({len(findings)} finding(s) were still printed and are scored below)")
    for e in errors:
        print(f"   analyzer error: {e}")

    used = set()

    def match(r, exact):
        hits = []
        for i, f in enumerate(findings):
            if f["rule"] != r["rule"] or f["file"] != r["file"]:
                continue
            if (exact and f["line"] == r["line"]) or (not exact and 0 < abs(f["line"] - r["line"]) <= NEAR):
                hits.append(i)
        return hits

    for r in rows:
        exact, near = match(r, True), match(r, False)
        used.update(exact)
        used.update(near)
        at_line = sorted({f["rule"] for f in findings if f["file"] == r["file"] and f["line"] == r["line"]
                          and f["rule"] != r["rule"]})
        extra = f"  [other rule here: {', '.join(at_line)}]" if at_line else ""
        loc = f"{r['file']}:{r['line']}"
        if r["kind"] == "EXPECT":
            if exact:
                tot[r["rule"]][0] += 1
                tag = "found"
            elif near:
                tot[r["rule"]][1] += 1
                tag = "near(" + ",".join(str(findings[i]["line"]) for i in near) + ")"
            else:
                tag = "missed"
            print(f"   EXPECT {tag:9} {r['rule']:9} {loc}{extra}")
        else:
            if exact:
                fine_tot[r["rule"]][0] += 1
                tag = "FLAGGED"
            elif near:
                tag = "near(" + ",".join(str(findings[i]["line"]) for i in near) + ")"
            else:
                tag = "quiet"
            print(f"   FINE   {tag:9} {r['rule']:9} {loc}{extra}")
    others = [f for i, f in enumerate(findings) if i not in used]
    other_total += len(others)
    for f in sorted(others, key=lambda f: (f["file"], f["line"], f["rule"])):
        msg = f["message"].replace("\n", " ")
        if len(msg) > 110:
            msg = msg[:107] + "..."
        print(f"   other  {f['rule']:9} {f['file']}:{f['line']}: {msg}")
    print()

# --- summary ---------------------------------------------------------------
print("== summary")
print(f"repos loaded: {repos_loaded}/{repos_total}" + (f" (trees missing: {', '.join(missing_trees)})" if missing_trees else ""))
ef = en = et = 0
for rule in RULES + sorted(set(tot) - set(RULES)):
    if rule not in tot:
        continue
    f, n, t = tot[rule]
    ef, en, et = ef + f, en + n, et + t
    print(f"expected {rule:9} found {f}/{t}" + (f" (+{n} near)" if n else ""))
print(f"expected total     found {ef}/{et}" + (f" (+{en} near)" if en else ""))
ff = sum(v[0] for v in fine_tot.values())
ft = sum(v[1] for v in fine_tot.values())
detail = ", ".join(f"{r} {v[0]}/{v[1]}" for r, v in sorted(fine_tot.items()) if v[0])
print(f"fine rows flagged: {ff}/{ft}" + (f" ({detail})" if detail else ""))
print(f"other findings: {other_total}")
PY
