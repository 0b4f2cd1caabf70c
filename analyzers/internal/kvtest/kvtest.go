// Package kvtest runs kvlint's analyzers on the test modules under
// testdata/, which pin the real KV SDKs (see internal/sdkmods).
package kvtest

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/kvlint/kvlint/analyzers/kvapi"
	"github.com/kvlint/kvlint/internal/sdkmods"
)

// Main fills the module cache for the test modules, which analysistest
// then loads with GOPROXY=off, and runs the tests.
func Main(m *testing.M) {
	if err := sdkmods.Download(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

// Run runs a on the packages matching the patterns in testdata/module,
// checking its "// want" expectations. The syumai modules build only for
// js/wasm.
func Run(t *testing.T, module string, a *analysis.Analyzer, patterns ...string) {
	target(t, module)
	analysistest.Run(t, sdkmods.Dir(module), a, patterns...)
}

// RunWithSuggestedFixes is Run that also checks the fixes against the
// .golden files.
func RunWithSuggestedFixes(t *testing.T, module string, a *analysis.Analyzer, pattern string) {
	target(t, module)
	results := analysistest.RunWithSuggestedFixes(t, sdkmods.Dir(module), a, pattern)
	goldenNeedsFixes(t, results)
}

// goldenNeedsFixes fails for a .golden file that differs from its source
// when no suggested fix touches that source: analysistest compares only
// the files that fixes change, and would pass a fix that went missing.
func goldenNeedsFixes(t *testing.T, results []*analysistest.Result) {
	fixed := make(map[string]bool)
	var files []string
	for _, r := range results {
		for _, f := range r.Pass.Files {
			files = append(files, r.Pass.Fset.File(f.FileStart).Name())
		}
		for _, d := range r.Diagnostics {
			for _, fix := range d.SuggestedFixes {
				for _, edit := range fix.TextEdits {
					fixed[r.Pass.Fset.File(edit.Pos).Name()] = true
				}
			}
		}
	}
	for _, name := range files {
		golden, err := os.ReadFile(name + ".golden")
		if err != nil || fixed[name] {
			continue
		}
		if src, err := os.ReadFile(name); err == nil && string(src) != string(golden) {
			t.Errorf("%s.golden differs from its source, but no suggested fix changes it", name)
		}
	}
}

func target(t *testing.T, module string) {
	if strings.HasPrefix(module, "syumai") {
		t.Setenv("GOOS", "js")
		t.Setenv("GOARCH", "wasm")
	}
}

// Interfaces names the KV-shaped interface of testdata/syumai033/iface, as
// the -kvapi.interfaces flag does, for the duration of the test.
func Interfaces(t *testing.T) {
	const iface = "kvlint.test/syumai033/iface.Cache"
	Configure(t, iface+".Get=get(key=1);"+iface+".Put=put(key=1,value=2,ttl=3);"+iface+".Delete=delete(key=1)")
}

// Configure sets kvapi's -interfaces flag to spec for the test, as the
// kvlint command or a user's -kvapi.interfaces would.
func Configure(t *testing.T, spec string) {
	flag := kvapi.Analyzer.Flags.Lookup("interfaces")
	if err := flag.Value.Set(spec); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { flag.Value.Set("") })
}
