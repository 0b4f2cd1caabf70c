#!/usr/bin/env bash
# bench.sh prints kvlint's performance bars (SPEC §5) as ratios.
#
# The floor is go vet with a vettool that runs one empty analyzer
# (internal/emptyvet): the go command, one tool process per package
# (dependencies included) and parsing plus type-checking each package.
# kvlint in vet mode must cost no more than the floor on code that does
# not use KV (1.0x, with a 10% noise allowance) and at most 1.5x the floor
# on KV-heavy code.
#
# Run it by hand from anywhere in the repository; it is never run by
# go test, because timings on shared machines are too noisy to assert on.
#
#   scripts/bench.sh
#   BENCH_RUNS=9 scripts/bench.sh             # more runs per median
#   BENCH_ONLY='demo' scripts/bench.sh        # only workloads matching a regex
#   BENCH_WARM_CACHE=/tmp/kvb scripts/bench.sh  # keep the warmed cache for next time
#   BENCH_CGO=1 scripts/bench.sh              # kvlint as a cgo-enabled go install builds it
#
# See docs/benchmarks.md for the method and the figures.
set -euo pipefail

RUNS=${BENCH_RUNS:-5}
ONLY=${BENCH_ONLY:-}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DEMO=$REPO/testdata/demo
CFV6=$REPO/testdata/cfv6

WORK=$(mktemp -d "${TMPDIR:-/tmp}/kvlint-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
BIN=$WORK/bin
# The warmed build cache: compiled export data for every workload, and no
# vet results. It is only ever copied, never used directly.
WARM=${BENCH_WARM_CACHE:-$WORK/warm-cache}

# The demo pins github.com/syumai/workers, which is not in the checksum DB.
export GONOSUMDB=${GONOSUMDB:+$GONOSUMDB,}github.com/syumai/workers

log() { printf '%s\n' "$*" >&2; }
rel() { if [[ $1 == "$REPO" ]]; then echo .; else echo "${1#"$REPO"/}"; fi; }
die() { log "bench: $*"; exit 2; }

# ---------------------------------------------------------------- tools

build_tools() {
	mkdir -p "$BIN"
	log "building kvlint and emptyvet into $BIN"
	# Both static, as the README installs kvlint: pflag imports net, which
	# with cgo makes the binary dynamic, and go vet pays the loader's
	# start-up once per package (about 4 ms; BENCH_CGO=1 measures that).
	local cgo=${BENCH_CGO:-0}
	(cd "$REPO" && CGO_ENABLED=$cgo go build -o "$BIN/kvlint" ./cmd/kvlint) ||
		die "kvlint does not build"
	(cd "$REPO" && CGO_ENABLED=$cgo go build -o "$BIN/emptyvet" ./internal/emptyvet) ||
		die "emptyvet does not build"
	# go vet asks a vettool for -V=full and -flags before anything else;
	# fail here, clearly, rather than inside every timed run.
	local t
	for t in emptyvet kvlint; do
		"$BIN/$t" -V=full >/dev/null || die "$t -V=full failed"
		"$BIN/$t" -flags >/dev/null || die "$t -flags failed"
	done
}

# ---------------------------------------------------------------- timing

# timed OUT CMD...: runs CMD with stdout and stderr in OUT.out and writes
# "WALL CPU" (seconds; CPU is user+sys of CMD and all its children, which
# for go vet includes every vettool process) to OUT.time. Sets RC to the
# exit code of CMD.
timed() {
	local out=$1
	shift
	RC=0
	if [[ -x /usr/bin/time ]]; then
		/usr/bin/time -f '%e %U %S' -o "$out.raw" "$@" >"$out.out" 2>&1 || RC=$?
		# GNU time writes "Command exited with non-zero status N" first.
		tail -n 1 "$out.raw" | awk '{ printf "%.2f %.2f\n", $1, $2 + $3 }' >"$out.time"
	else
		# Fallback: wall clock from date, CPU from the children line of
		# `times` in a subshell whose only child is CMD.
		local t0 t1
		t0=$(date +%s.%N)
		(
			rc=0
			"$@" >"$out.out" 2>&1 || rc=$?
			times >"$out.raw"
			exit "$rc"
		) || RC=$?
		t1=$(date +%s.%N)
		# "0m1.234s 0m0.567s" -> minutes and seconds of user, then sys.
		sed -n 2p "$out.raw" | tr 'ms' '  ' |
			awk -v t0="$t0" -v t1="$t1" '{ printf "%.2f %.2f\n", t1 - t0, $1*60 + $2 + $3*60 + $4 }' >"$out.time"
	fi
}

# median: reads numbers, one a line, prints their median.
median() {
	sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "nan"; exit }
		if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }

# ---------------------------------------------------------------- cache

# go vet caches each package's vet result under a key made of the tool's
# -V=full line, the vet flags and the package's inputs, so a second run
# with a warm GOCACHE starts no vettool at all. A run with an empty
# GOCACHE would instead spend most of its time compiling dependencies.
# So every timed run gets its own copy of one warmed cache: export data is
# reused, vet results are absent, and both tools redo exactly the vet work.

# warm ENV DIR PKGS...: compiles (with export data) PKGS, their tests and
# all their dependencies into the warm cache. All workloads share the one
# cache, which only grows (cfv6 reuses most of the demo's cloudflare-go
# build); filling it takes several minutes the first time.
warm() {
	local env=$1 dir=$2
	shift 2
	log "warming the build cache: ${env:+$env }go list -export -deps -test $* (in $(rel "$dir"))"
	# shellcheck disable=SC2086 # env is a list of VAR=VALUE words
	env GOCACHE="$WARM" $env go list -C "$dir" -export -deps -test "$@" >/dev/null ||
		die "cannot build $* in $dir"
}

fresh_cache() {
	rm -rf "$WORK/cache"
	cp -a "$WARM" "$WORK/cache"
}

# ---------------------------------------------------------------- vet runs

# vet_cmd [-x] TOOL ENV DIR PKGS...: sets CMD to the go vet command line
# for TOOL, run in DIR with the fresh cache copy and ENV (VAR=VALUE words).
vet_cmd() {
	local x=()
	if [[ $1 == -x ]]; then
		x=(-x)
		shift
	fi
	local tool=$1 env=$2 dir=$3
	shift 3
	# shellcheck disable=SC2206 # env is a list of VAR=VALUE words
	CMD=(env GOCACHE="$WORK/cache" $env go vet -C "$dir" "${x[@]}" -vettool="$BIN/$tool" "$@")
}

# tool_runs FILE TOOL: how many times go vet -x started TOOL on a package
# (its -V=full and -flags queries name no vet.cfg).
tool_runs() { grep -F -- "$BIN/$2 " "$1" | grep -c 'vet\.cfg' || true; }

# unexpected FILE: prints the lines of go vet output that are not
# diagnostics (FILE.go:LINE:COL: message, possibly a related location).
unexpected() { grep -Ev '^[^[:space:]]+\.go:[0-9]+:[0-9]+: ' "$1" || true; }

PROBLEMS=()
problem() { PROBLEMS+=("$*"); log "  PROBLEM: $*"; }

# check_result TOOL WORKLOAD FILE: checks a vet run's exit code and output.
# The floor must exit 0 silently. kvlint may exit 1 only with findings;
# anything else (a panic, an error line, exit 2+) is a kvlint problem.
check_result() {
	local tool=$1 name=$2 file=$3 extra
	extra=$(unexpected "$file" | head -n 5)
	if [[ $tool == emptyvet ]]; then
		((RC == 0)) || die "$name: the floor failed (exit $RC): $(head -c 600 "$file")"
		return
	fi
	if ((RC > 1)); then
		problem "$name: go vet -vettool=kvlint exited $RC: ${extra:-$(head -c 300 "$file")}"
	elif ((RC == 1)) && ! grep -qE '^[^[:space:]]+\.go:[0-9]+:[0-9]+: ' "$file"; then
		problem "$name: go vet -vettool=kvlint exited 1 without a finding: $(head -c 300 "$file")"
	elif ((RC == 0)) && [[ -s $file ]]; then
		problem "$name: go vet -vettool=kvlint exited 0 but printed: $(head -c 300 "$file")"
	fi
	if [[ -n $extra ]]; then
		problem "$name: kvlint printed lines that are not findings: ${extra//$'\n'/ | }"
	fi
}

# verify NAME ENV DIR PKGS...: one untimed run per tool with go vet -x on a
# fresh cache copy, to show that the copy makes go vet start the tool on
# every package and compile nothing; then the same again on the now-used
# cache, to show that without a fresh copy the tool would not run at all.
# The runs also warm the OS file cache before timing.
verify() {
	local name=$1 env=$2 dir=$3
	shift 3
	local tool ran compiled rerun out=$WORK/verify counts=()
	for tool in emptyvet kvlint; do
		fresh_cache
		vet_cmd -x "$tool" "$env" "$dir" "$@"
		"${CMD[@]}" >"$out.x" 2>&1 || true # exit codes are checked in the timed runs
		ran=$(tool_runs "$out.x" "$tool")
		compiled=$(grep -cE 'pkg/tool/[^ ]+/(compile|cgo|asm) ' "$out.x" || true)
		"${CMD[@]}" >"$out.x2" 2>&1 || true
		rerun=$(tool_runs "$out.x2" "$tool")
		counts+=("$tool ran ${ran}x, $compiled compiles; rerun on same cache: ${rerun}x")
		((ran > 0)) || die "$name: $tool never ran under go vet -x; the method is broken"
		((compiled == 0)) || log "  note: $tool run compiled $compiled units: the warm cache is incomplete"
	done
	log "  verify: ${counts[0]} | ${counts[1]}"
}

# bench NAME KIND ENV DIR PKGS...: times RUNS runs of each tool, alternating
# which goes first so that both see the same drift in machine load, and
# appends a row to the table.
ROWS=()
bench() {
	local name=$1 kind=$2 env=$3 dir=$4
	shift 4
	[[ -z $ONLY || $name =~ $ONLY ]] || return 0
	log ""
	log "== $name: ${env:+$env }go vet -vettool=TOOL $* (in $(rel "$dir"))"
	warm "$env" "$dir" "$@"
	verify "$name" "$env" "$dir" "$@"
	local i tool order res="$WORK/res"
	rm -f "$res".*
	for ((i = 1; i <= RUNS; i++)); do
		order="emptyvet kvlint"
		((i % 2)) || order="kvlint emptyvet"
		local line="  run $i/$RUNS:"
		for tool in $order; do
			fresh_cache
			vet_cmd "$tool" "$env" "$dir" "$@"
			timed "$WORK/run" "${CMD[@]}"
			check_result "$tool" "$name" "$WORK/run.out"
			cat "$WORK/run.time" >>"$res.$tool"
			if [[ $tool == kvlint ]]; then
				sort "$WORK/run.out" | cksum >>"$res.outputs"
			fi
			line+=" $tool $(cut -d' ' -f1 "$WORK/run.time")s (cpu $(cut -d' ' -f2 "$WORK/run.time")s)"
		done
		log "$line"
	done
	if (($(sort -u "$res.outputs" | wc -l) > 1)); then
		problem "$name: kvlint's output differed between runs"
	fi
	local fw kw fc kc bar
	fw=$(cut -d' ' -f1 "$res.emptyvet" | median)
	kw=$(cut -d' ' -f1 "$res.kvlint" | median)
	fc=$(cut -d' ' -f2 "$res.emptyvet" | median)
	kc=$(cut -d' ' -f2 "$res.kvlint" | median)
	if [[ $kind == kv ]]; then bar=1.50; else bar=1.10; fi
	ROWS+=("$name|$kind|$fw|$kw|$(ratio "$kw" "$fw")|$fc|$kc|$(ratio "$kc" "$fc")|$bar")
}

# ---------------------------------------------------------------- standalone

# standalone: the CLI on the demo (kvlint ./..., which picks js/wasm for
# itself, and then analyzes job/ there too, since it builds for js/wasm
# and a program is analyzed whole) against the built-in
# go vet on the same packages. Plain go vet cannot do ./... here: the
# Worker builds only for js/wasm, so the baseline is the two go vet
# commands a user would have to run. Each run gets a fresh cache copy, so
# go vet's own analyzers really run.
STANDALONE=
standalone() {
	[[ -z $ONLY || standalone =~ $ONLY ]] || return 0
	log ""
	log "== standalone: kvlint ./... vs go vet (worker js/wasm + job) in testdata/demo"
	warm "GOOS=js GOARCH=wasm" "$DEMO" ./...
	warm "" "$DEMO" ./job
	local i res="$WORK/sa"
	rm -f "$res".*
	for ((i = 1; i <= RUNS; i++)); do
		fresh_cache
		timed "$WORK/sa-k" env GOCACHE="$WORK/cache" "$BIN/kvlint" -C "$DEMO" ./...
		((RC <= 1)) || problem "standalone kvlint ./... exited $RC: $(head -c 300 "$WORK/sa-k.out")"
		cat "$WORK/sa-k.time" >>"$res.kvlint"
		fresh_cache
		# shellcheck disable=SC2016 # expanded by the inner bash
		timed "$WORK/sa-v" bash -c '
			rc=0
			env GOCACHE="$1" GOOS=js GOARCH=wasm go vet -C "$2" ./worker || rc=$?
			env GOCACHE="$1" go vet -C "$2" ./job || rc=$?
			exit $rc' _ "$WORK/cache" "$DEMO"
		((RC <= 1)) || die "built-in go vet failed on the demo (exit $RC): $(head -c 300 "$WORK/sa-v.out")"
		cat "$WORK/sa-v.time" >>"$res.vet"
		log "  run $i/$RUNS: kvlint $(cut -d' ' -f1 "$WORK/sa-k.time")s, go vet $(cut -d' ' -f1 "$WORK/sa-v.time")s"
	done
	local kw vw kc vc
	kw=$(cut -d' ' -f1 "$res.kvlint" | median)
	vw=$(cut -d' ' -f1 "$res.vet" | median)
	kc=$(cut -d' ' -f2 "$res.kvlint" | median)
	vc=$(cut -d' ' -f2 "$res.vet" | median)
	STANDALONE="kvlint ./... ${kw}s vs go vet ./... ${vw}s: wall $(ratio "$kw" "$vw")x, cpu $(ratio "$kc" "$vc")x (kvlint ${kc}s, go vet ${vc}s)"
}

# ---------------------------------------------------------------- report

report() {
	local cpu=cpu
	[[ -x /usr/bin/time ]] || cpu="cpu*"
	printf '\nkvlint vet mode vs the empty-analyzer floor (median of %d runs; %s, %d CPUs, %s)\n\n' \
		"$RUNS" "$(go version | cut -d' ' -f3-)" "$(nproc)" "$(uname -m)"
	printf '%-26s %-5s %8s %8s %6s %8s %8s %6s %5s %s\n' \
		workload kind floor kvlint ratio "floor-$cpu" "kv-$cpu" ratio bar verdict
	local row name kind fw kw wr fc kc cr bar verdict
	for row in "${ROWS[@]}"; do
		IFS='|' read -r name kind fw kw wr fc kc cr bar <<<"$row"
		if le "$wr" "$bar"; then verdict=PASS; else verdict=FAIL; fi
		# Wall time decides, as the bar is about what users wait for; the
		# CPU ratio is a second opinion that shrugs off other load on a
		# shared machine. When they disagree, the machine was noisy.
		if le "$cr" "$bar"; then
			[[ $verdict == PASS ]] || verdict="FAIL (cpu passes: noisy?)"
		else
			[[ $verdict == FAIL ]] || verdict="PASS (cpu fails)"
		fi
		printf '%-26s %-5s %7.2fs %7.2fs %5.2fx %9.2fs %8.2fs %5.2fx %4.2fx %s\n' \
			"$name" "$kind" "$fw" "$kw" "$wr" "$fc" "$kc" "$cr" "$bar" "$verdict"
	done
	if [[ -n $STANDALONE ]]; then
		printf '\nstandalone on testdata/demo: %s\n' "$STANDALONE"
	fi
	if ((${#PROBLEMS[@]})); then
		printf '\nproblems found in kvlint while benchmarking:\n'
		printf '  - %s\n' "${PROBLEMS[@]}"
	fi
}

# ---------------------------------------------------------------- main

main() {
	[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer"
	build_tools
	(cd "$DEMO" && go mod download) || die "cannot download the demo's modules"
	(cd "$CFV6" && go mod download) || die "cannot download cfv6's modules"

	#     name                       kind  env                    dir      packages
	bench "kvlint repo ./..." nonkv "" "$REPO" ./...
	bench "std net/http json types" nonkv "" "$REPO" net/http encoding/json go/types
	bench "demo worker (js/wasm)" kv "GOOS=js GOARCH=wasm" "$DEMO" ./worker
	bench "demo job" kv "" "$DEMO" ./job
	bench "cfv6 ./..." kv "" "$CFV6" ./...
	standalone
	report
}

main "$@"
