package main

import (
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/pflag"
	"golang.org/x/tools/go/analysis"
)

// options is the standalone command line, parsed.
type options struct {
	format   string // text, json or sarif
	enable   []string
	disable  []string
	list     bool
	ports    bool // --print-interfaces
	explain  string
	version  bool
	dir      string
	tags     string
	tests    bool
	debug    bool
	fix      bool
	diff     bool
	help     bool
	patterns []string

	flags *pflag.FlagSet // for --help
}

var formats = []string{"text", "json", "sarif"}

// parseArgs parses the command line. Besides its own flags it exposes
// every flag of every analyzer as --NAME.FLAG, bound to the analyzer's
// own flag.FlagSet: setting it configures the analyzer for this process,
// exactly as -NAME.FLAG does in vet mode.
func parseArgs(args []string, all []*analysis.Analyzer) (*options, error) {
	opts := new(options)
	fs := pflag.NewFlagSet("kvlint", pflag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported in one line by the caller
	fs.SortFlags = false
	fs.StringVar(&opts.format, "format", "text", "output `format`: "+strings.Join(formats, ", "))
	fs.StringSliceVar(&opts.enable, "enable", nil, "run only these analyzers (comma-separated `names`)")
	fs.StringSliceVar(&opts.disable, "disable", nil, "do not run these analyzers (comma-separated `names`)")
	fs.BoolVar(&opts.fix, "fix", false, "apply the first suggested fix of each finding")
	fs.BoolVar(&opts.diff, "diff", false, "print the changes --fix would make as a unified diff; write nothing")
	fs.StringVar(&opts.tags, "tags", "", "comma-separated build `tags`, as for go build")
	fs.BoolVar(&opts.tests, "tests", true, "analyze each package's tests too, as go vet does")
	fs.StringVarP(&opts.dir, "chdir", "C", "", "change to `dir` before doing anything else")
	fs.BoolVar(&opts.debug, "debug", false, "print the stack of each internal error")
	fs.BoolVar(&opts.list, "list", false, "list the analyzers and exit")
	fs.BoolVar(&opts.ports, "print-interfaces", false, "print the --kvapi.interfaces value for the storage ports found in the packages, for go vet, and exit")
	fs.StringVar(&opts.explain, "explain", "", "print the documentation of analyzer `name` and exit")
	fs.BoolVar(&opts.version, "version", false, "print the version and exit")
	fs.BoolVarP(&opts.help, "help", "h", false, "print this help and exit")
	for _, a := range all {
		addAnalyzerFlags(fs, a)
	}
	opts.flags = fs

	if err := fs.Parse(translateVetFlags(args)); err != nil {
		return nil, fmt.Errorf("%v (see kvlint --help)", err)
	}
	if !slices.Contains(formats, opts.format) {
		return nil, fmt.Errorf("unknown --format %q (want %s)", opts.format, strings.Join(formats, ", "))
	}
	opts.patterns = fs.Args()
	if len(opts.patterns) == 0 {
		opts.patterns = []string{"./..."}
	}
	return opts, nil
}

// addAnalyzerFlags adds the flags of analyzer a to fs as --NAME.FLAG.
func addAnalyzerFlags(fs *pflag.FlagSet, a *analysis.Analyzer) {
	a.Flags.VisitAll(func(f *flag.Flag) {
		pf := pflag.PFlagFromGoFlag(f)
		pf.Name = a.Name + "." + f.Name
		pf.Shorthand = "" // a one-letter analyzer flag must not claim -x
		pf.Usage = a.Name + ": " + f.Usage
		fs.AddFlag(pf)
	})
}

// translateVetFlags rewrites the go vet spelling -json, which pflag would
// read as the shorthands -j -s -o -n, to --format=json, so that scripts
// written for vet mode keep working.
func translateVetFlags(args []string) []string {
	out := make([]string, 0, len(args))
	for i, arg := range args {
		if arg == "--" {
			return append(out, args[i:]...)
		}
		if arg == "-json" {
			arg = "--format=json"
		}
		out = append(out, arg)
	}
	return out
}

func printUsage(w io.Writer, fs *pflag.FlagSet) {
	fmt.Fprintf(w, `Usage: kvlint [flags] [packages]

kvlint reports misuse of Cloudflare Workers KV. Packages are go list
patterns; the default is ./... . Exit code: 0 no findings, 1 findings,
2 kvlint could not run. As a vet tool: go vet -vettool=$(command -v kvlint).

Flags:
%s`, fs.FlagUsages())
}
