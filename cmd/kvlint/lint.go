package main

import (
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/kvlint/kvlint/analyzers"
	"github.com/kvlint/kvlint/internal/suite"
)

// lint is the standalone command. It returns the exit code, or an error
// when kvlint could not run.
func lint(args []string, stdout, stderr io.Writer) (int, error) {
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

	var buildFlags []string
	if opts.tags != "" {
		buildFlags = []string{"-tags=" + opts.tags}
	}
	units, err := analyze(opts.patterns, buildFlags, selected)
	if err != nil {
		return exitError, err
	}
	findings := collect(units)

	var fixed map[findingKey]bool
	if opts.fix || opts.diff {
		warn := func(msg string) { fmt.Fprintf(stderr, "kvlint: %s\n", msg) }
		fs, err := planFixes(units, findings, warn)
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
		if err := writeFixes(fs); err != nil {
			return exitError, err
		}
		fixed = fs.fixed
		findings = slices.DeleteFunc(findings, func(f *finding) bool { return fixed[f.key()] })
	}

	switch opts.format {
	case "json":
		err = printJSON(stdout, units, fixed)
	case "sarif":
		err = printSARIF(stdout, selected, findings)
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
