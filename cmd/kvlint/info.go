package main

// This file implements the informational flags: --list, --explain and
// --version. Their text comes from the analyzers themselves (Name, Doc,
// URL, Flags), so the command, go vet's help and the docs cannot drift.

import (
	"flag"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"
	"text/tabwriter"

	"golang.org/x/tools/go/analysis"
)

func listAnalyzers(w io.Writer, all []*analysis.Analyzer) {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	for _, a := range all {
		fmt.Fprintf(tw, "%s\t%s\n", a.Name, summary(a))
	}
	tw.Flush()
}

// summary returns the first paragraph of a's Doc on one line, without the
// "NAME: " prefix that go/analysis doc comments conventionally start with.
func summary(a *analysis.Analyzer) string {
	first, _, _ := strings.Cut(strings.TrimSpace(a.Doc), "\n\n")
	return strings.TrimPrefix(oneLine(first), a.Name+": ")
}

func explain(w io.Writer, all []*analysis.Analyzer, name string) error {
	for _, a := range all {
		if a.Name != name {
			continue
		}
		fmt.Fprintf(w, "%s\n", strings.TrimSpace(a.Doc))
		if a.URL != "" {
			fmt.Fprintf(w, "\nDocumentation: %s\n", a.URL)
		}
		first := true
		a.Flags.VisitAll(func(f *flag.Flag) {
			if first {
				fmt.Fprintf(w, "\nOptions (--%s.NAME, or -%[1]s.NAME under go vet):\n", a.Name)
				first = false
			}
			fmt.Fprintf(w, "  --%s.%s (default %q)\n    \t%s\n", a.Name, f.Name, f.DefValue, f.Usage)
		})
		return nil
	}
	return fmt.Errorf("unknown analyzer %q (see kvlint --list)", name)
}

// version describes this build for --version.
func version() string {
	return fmt.Sprintf("kvlint %s %s %s/%s", buildVersion(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// buildVersion is the module version when kvlint was installed with
// go install, or "(devel)" and the VCS revision when built in a checkout.
func buildVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(devel)"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" {
			return "(devel) " + s.Value
		}
	}
	return "(devel)"
}
