#!/usr/bin/env bash
# scale.sh prints how kvlint's cost grows with the size of its input, as
# ratios: each workload is timed at a size and at twice that size, and a
# ratio near 2.0 is linear growth (4.0 would be quadratic).
#
#   calls N   one function with N KV puts (one in 1,000 with a TTL of 30)
#   chain N   N wrapper packages, each calling the one before, and one
#             call with a TTL of 30 at the top
#
# It also times kvlint on the standard library against go vet with an
# empty analyzer (internal/emptyvet) on the same packages, the floor every
# vet tool pays. Like bench.sh, it is run by hand, never by go test.
#
#   scripts/scale.sh
#   SCALE_RUNS=5 scripts/scale.sh         # runs per median (default 3)
#   SCALE_STD=0 scripts/scale.sh          # leave out the standard library
#
# It checks that every run reports the expected findings, so that a fast
# run that found nothing cannot pass for a fast one. See docs/benchmarks.md.
set -euo pipefail

RUNS=${SCALE_RUNS:-3}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/kvlint-scale.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export GONOSUMDB=${GONOSUMDB:+$GONOSUMDB,}github.com/syumai/workers

log() { printf '%s\n' "$*" >&2; }
die() { log "scale: $*"; exit 2; }

# module DIR NAME: a module that requires github.com/syumai/workers, as
# the test module testdata/syumai033 pins it.
module() {
	mkdir -p "$1"
	sed "s|^module .*|module $2|" "$REPO/testdata/syumai033/go.mod" >"$1/go.mod"
	cp "$REPO/testdata/syumai033/go.sum" "$1/go.sum"
}

gen_calls() {
	local dir=$1 n=$2 i ttl
	module "$dir" example.com/calls
	mkdir -p "$dir/big"
	{
		printf 'package big\n\nimport "github.com/syumai/workers/cloudflare/kv"\n\nfunc Big(ns *kv.Namespace, v string) {\n'
		for ((i = 0; i < n; i++)); do
			ttl=120
			((i % 1000 == 0)) && ttl=30
			printf '\tns.PutString("key%d", v, &kv.PutOptions{ExpirationTTL: %d})\n' "$i" "$ttl"
		done
		printf '}\n'
	} >"$dir/big/big.go"
}

gen_chain() {
	local dir=$1 n=$2 i
	module "$dir" example.com/chain
	mkdir -p "$dir/p0" "$dir/app"
	printf 'package p0\n\nimport "github.com/syumai/workers/cloudflare/kv"\n\nfunc Put(ns *kv.Namespace, k, v string, ttl int) error {\n\treturn ns.PutString(k, v, &kv.PutOptions{ExpirationTTL: ttl})\n}\n' >"$dir/p0/p.go"
	for ((i = 1; i < n; i++)); do
		mkdir -p "$dir/p$i"
		printf 'package p%d\n\nimport (\n\t"github.com/syumai/workers/cloudflare/kv"\n\n\t"example.com/chain/p%d"\n)\n\nfunc Put(ns *kv.Namespace, k, v string, ttl int) error {\n\treturn p%d.Put(ns, "p%d:"+k, v, ttl)\n}\n' "$i" $((i - 1)) $((i - 1)) "$i" >"$dir/p$i/p.go"
	done
	printf 'package app\n\nimport (\n\t"github.com/syumai/workers/cloudflare/kv"\n\n\t"example.com/chain/p%d"\n)\n\nfunc Save(ns *kv.Namespace) error {\n\treturn p%d.Put(ns, "k", "v", 30)\n}\n' $((n - 1)) $((n - 1)) >"$dir/app/app.go"
}

# cpu CMD...: runs CMD and prints its CPU time (user+sys, children
# included) in seconds; the output goes to $WORK/out.
cpu() {
	local rc=0
	/usr/bin/time -f '%U %S' -o "$WORK/time" "$@" >"$WORK/out" 2>&1 || rc=$?
	tail -n 1 "$WORK/time" | awk '{ printf "%.2f\n", $1 + $2 }'
	return "$rc"
}

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# measure DIR WANT: the median CPU time of kvlint ./... in DIR, after one
# untimed run that fills the build cache; each run must report WANT kvttl
# findings.
measure() {
	local dir=$1 want=$2 times=() i got
	(cd "$dir" && "$BIN" ./... >/dev/null 2>&1) || true
	for ((i = 0; i < RUNS; i++)); do
		times+=("$(cd "$dir" && cpu "$BIN" ./... || true)")
		got=$(grep -c ': kvttl: ' "$WORK/out" || true)
		((got == want)) || die "$dir: want $want kvttl findings, got $got: $(head -c 400 "$WORK/out")"
	done
	printf '%s\n' "${times[@]}" | median
}

[[ -x /usr/bin/time ]] || die "needs GNU time at /usr/bin/time (apt-get install time)"
BIN=$WORK/kvlint
(cd "$REPO" && go build -o "$BIN" ./cmd/kvlint && go build -o "$WORK/emptyvet" ./internal/emptyvet) || die "build failed"

printf '| workload | size | CPU s | size 2x | CPU s | ratio |\n|---|---|---|---|---|---|\n'
for spec in "calls 5000" "calls 10000" "chain 100" "chain 200"; do
	read -r kind n <<<"$spec"
	gen_"$kind" "$WORK/$kind-$n" "$n"
	gen_"$kind" "$WORK/$kind-$((2 * n))" $((2 * n))
	want=1
	[[ $kind == calls ]] && want=$(((n + 999) / 1000))
	a=$(measure "$WORK/$kind-$n" "$want")
	[[ $kind == calls ]] && want=$(((2 * n + 999) / 1000))
	b=$(measure "$WORK/$kind-$((2 * n))" "$want")
	printf '| %s | %d | %s | %d | %s | %.2f |\n' "$kind" "$n" "$a" $((2 * n)) "$b" "$(awk -v a="$a" -v b="$b" 'BEGIN { print (a > 0 ? b / a : 0) }')"
done

if [[ ${SCALE_STD:-1} != 0 ]]; then
	# The floor and kvlint each get a copy of one warmed cache, so that
	# neither finds the other's vet results (see bench.sh).
	env GOCACHE="$WORK/warm" go list -export -deps -test std >/dev/null
	floor=() lint=()
	for ((i = 0; i < RUNS; i++)); do
		rm -rf "$WORK/c" && cp -a "$WORK/warm" "$WORK/c"
		floor+=("$(GOCACHE=$WORK/c cpu go vet -vettool="$WORK/emptyvet" std || die "go vet std with emptyvet failed: $(head -c 400 "$WORK/out")")")
		rm -rf "$WORK/c" && cp -a "$WORK/warm" "$WORK/c"
		lint+=("$(GOCACHE=$WORK/c cpu "$BIN" std || die "kvlint std failed: $(head -c 400 "$WORK/out")")")
	done
	f=$(printf '%s\n' "${floor[@]}" | median)
	k=$(printf '%s\n' "${lint[@]}" | median)
	printf '\n| standard library | go vet, empty analyzer | kvlint | ratio |\n|---|---|---|---|\n| `std` | %s s | %s s | %.2f |\n' "$f" "$k" "$(awk -v a="$f" -v b="$k" 'BEGIN { print (a > 0 ? b / a : 0) }')"
fi
