package kvrace_test

import (
	"fmt"
	"os"
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/kvlint/kvlint/analyzers/kvrace"
	"github.com/kvlint/kvlint/internal/sdkmods"
)

func TestMain(m *testing.M) {
	if err := sdkmods.Download(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

func TestSyumai(t *testing.T) {
	t.Setenv("GOOS", "js")
	t.Setenv("GOARCH", "wasm")
	analysistest.Run(t, sdkmods.Dir("syumai033"), kvrace.Analyzer, "./kvrace")
}

func TestCloudflareV6(t *testing.T) {
	analysistest.Run(t, sdkmods.Dir("cfv6"), kvrace.Analyzer, "./kvrace")
}

func TestCloudflareV0(t *testing.T) {
	analysistest.Run(t, sdkmods.Dir("cfv0119"), kvrace.Analyzer, "./kvrace")
}
