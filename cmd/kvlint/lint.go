package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/kvlint/kvlint/analyzers"
	"github.com/kvlint/kvlint/internal/suite"
)

// interruptGrace is how long a signalled run may take to end by itself,
// as a load does when go list stops, before it is ended.
const interruptGrace = 2 * time.Second

// exitWhenInterrupted arranges for exit to run grace after a signal ends
// ctx: go list watches the context, but an analysis does not, and a
// second signal is caught too until stop runs, so without this neither
// Ctrl-C nor SIGTERM ends a long analysis. The result cancels it, for a
// run that ends by itself.
func exitWhenInterrupted(ctx context.Context, stop func(), grace time.Duration, exit func()) (cancel func()) {
	after := context.AfterFunc(ctx, func() {
		stop() // a second signal ends the process at once
		time.Sleep(grace)
		exit()
	})
	return func() { after() }
}

// lint is the standalone command. It returns the exit code, or an error
// when kvlint could not run.
func lint(args []string, stdout, stderr io.Writer) (code int, err error) {
	all := analyzers.All()
	opts, err := parseArgs(args, all)
	if err != nil {
		return exitError, err
	}
	switch {
	case opts.help:
		printUsage(stdout, opts.flags)
		return exitClean, nil
	case opts.version:
		fmt.Fprintln(stdout, version())
		return exitClean, nil
	case opts.list:
		listAnalyzers(stdout, all)
		return exitClean, nil
	case opts.explain != "":
		return exitClean, explain(stdout, all, opts.explain)
	}
	selected, err := suite.Select(all, opts.enable, opts.disable)
	if err != nil {
		return exitError, fmt.Errorf("%v (see kvlint --list)", err)
	}
	if opts.dir != "" {
		if err := os.Chdir(opts.dir); err != nil {
			return exitError, err
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	defer exitWhenInterrupted(ctx, stop, interruptGrace, func() {
		fmt.Fprintln(stderr, "kvlint: interrupted")
		os.Exit(exitError)
	})()
	l := &loader{ctx: ctx, tests: opts.tests}
	if opts.tags != "" {
		l.buildFlags = []string{"-tags=" + opts.tags}
	}
	scopes, err := scopes(ctx, opts.patterns)
	if err != nil {
		return exitError, err
	}
	var (
		units  []*unit
		failed []failure
		ports  []string
	)
	for _, s := range scopes {
		l.dir = s.dir
		u, f, err := analyze(l, s.patterns, selected)
		if err != nil {
			return exitError, err
		}
		units, failed = append(units, u...), append(failed, f...)
		if found := interfaces().Found(); found != "" {
			ports = append(ports, found)
		}
	}
	failed = append(failed, unmatchedInterfaces(units)...)
	if opts.ports {
		// What a whole-program run knows of the program's storage
		// ports, said for drivers that see one package at a time.
		fmt.Fprintln(stdout, strings.Join(ports, ";"))
		printFailures(stderr, failed, opts.debug)
		if len(failed) > 0 {
			return exitError, nil
		}
		return exitClean, nil
	}
	findings := collect(units)
	// Every finding is printed, then every failure, each on its line;
	// a failure makes the exit code 2 whatever was found.
	defer func() {
		printFailures(stderr, failed, opts.debug)
		if len(failed) > 0 && code != exitError {
			code = exitError
		}
	}()

	var fixed map[findingKey]bool
	if opts.fix || opts.diff {
		warn := func(msg string) { fmt.Fprintf(stderr, "kvlint: %s\n", msg) }
		fs, err := planFixes(units, findings, l.analyzedAs, warn)
		if err != nil {
			return exitError, err
		}
		if opts.diff {
			// Show what --fix would do, and nothing else; the
			// exit code still says whether there are findings.
			if err := printDiffs(stdout, fs); err != nil {
				return exitError, err
			}
			return exitCode(findings), nil
		}
		if err := writeFixes(fs, stderr); err != nil {
			return exitError, err
		}
		fixed = fs.fixed
		findings = slices.DeleteFunc(findings, func(f *finding) bool { return fixed[f.key()] })
	}

	switch opts.format {
	case "json":
		err = printJSON(stdout, units, fixed, failed)
	case "sarif":
		err = printSARIF(stdout, suite.Checks(all, selected), findings, failed)
	default:
		err = printText(stdout, findings)
	}
	if err != nil {
		return exitError, err
	}
	return exitCode(findings), nil
}

func exitCode(findings []*finding) int {
	if len(findings) > 0 {
		return exitFindings
	}
	return exitClean
}

// printFailures prints one line per failure, and with debug the stack of
// each internal error below its line.
func printFailures(w io.Writer, failed []failure, debug bool) {
	for _, f := range failed {
		fmt.Fprintf(w, "kvlint: %s\n", oneLine(f.String()))
		if debug && f.stack != nil {
			w.Write(f.stack)
		}
	}
}
