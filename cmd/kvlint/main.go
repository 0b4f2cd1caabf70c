// Command kvlint reports misuse of Cloudflare Workers KV in Go code.
//
// The same binary runs in two modes, chosen from its arguments.
//
// # Standalone
//
//	kvlint [flags] [packages]
//
// loads the packages (default ./...) and their tests with go/packages and
// runs the kvlint analyzers over them. Packages that depend on
// github.com/syumai/workers build only for GOOS=js GOARCH=wasm: unless
// GOOS or GOARCH is set in the environment, kvlint finds them with a cheap
// first load and analyzes them for js/wasm and everything else for the
// host, so a Worker project lints with a plain "kvlint ./...".
//
// Output is text (file:line:col: analyzer: message, paths relative to the
// current directory), JSON in the shape of go vet -json, or SARIF 2.1.0.
// --fix applies the first suggested fix of each finding, after checking
// that the fixed packages still type-check, and then reports the findings
// it could not fix; --diff prints the changes --fix would make, and
// nothing else. Each analyzer option is a flag --NAME.OPTION, such as
// --kvttl.min. Run kvlint --help for the full list.
//
// The exit code is 0 when there are no findings, 1 when there are, and 2
// when kvlint could not run (a bad flag, an unknown analyzer, a pattern
// that matches nothing, a package that does not load or type-check); then
// one line on stderr names the cause. SIGINT or SIGTERM ends a run within
// seconds, whether it is loading or analyzing, with exit code 2 and the
// line "kvlint: interrupted".
//
// # Vet tool
//
//	go vet -vettool=$(command -v kvlint) [-json] [-kvttl.min=60] ./...
//
// The go command asks the tool for its flags (-flags) and its version
// (-V=full, a hash of the executable that keys go vet's cache), then runs
// it once per package with a JSON .cfg file describing that package. In
// this mode kvlint is a plain unitchecker: analyzer options are flags
// -NAME.OPTION, and -NAME or -NAME=false selects analyzers. go vet builds
// for the host, so run it with GOOS=js GOARCH=wasm on Worker packages.
package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/tools/go/analysis/unitchecker"

	"github.com/kvlint/kvlint/analyzers"
)

// Exit codes of the standalone mode.
const (
	exitClean    = 0 // no findings
	exitFindings = 1 // findings reported
	exitError    = 2 // kvlint could not run
)

func main() {
	if invokedByGoVet(os.Args[1:]) {
		unitchecker.Main(guard(analyzers.All(), nil)...) // does not return
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// invokedByGoVet reports whether the arguments follow the vet-tool
// protocol: a query for the tool's version or flags, or a run on one
// compilation unit described by a .cfg file (after any vet flags).
func invokedByGoVet(args []string) bool {
	cfgs := 0
	for _, arg := range args {
		switch {
		case arg == "-V=full", arg == "-V", arg == "-flags":
			return true
		case strings.HasSuffix(arg, ".cfg"):
			cfgs++
		}
	}
	return cfgs == 1 && strings.HasSuffix(args[len(args)-1], ".cfg")
}

// run is the standalone command. It returns the exit code and turns any
// panic into exit code 2 with a message, so that a bug in kvlint cannot
// be mistaken for a clean result or a finding.
func run(args []string, stdout, stderr io.Writer) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "kvlint: internal error: %s\n", oneLine(fmt.Sprint(r)))
			code = exitError
		}
	}()
	code, err := lint(args, stdout, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "kvlint: %s\n", oneLine(err.Error()))
		return exitError
	}
	return code
}

// oneLine folds a possibly multi-line message (go list's errors often are)
// into one line, since a kvlint failure is always reported as one line.
func oneLine(msg string) string {
	return strings.Join(strings.Fields(msg), " ")
}
