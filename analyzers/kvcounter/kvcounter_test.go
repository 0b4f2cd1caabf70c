package kvcounter_test

import (
	"fmt"
	"os"
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/kvlint/kvlint/analyzers/kvcounter"
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
	analysistest.Run(t, sdkmods.Dir("syumai033"), kvcounter.Analyzer, "./kvcounter")
}

// The REST SDK, current and old method names.
func TestCloudflareV0119(t *testing.T) {
	analysistest.Run(t, sdkmods.Dir("cfv0119"), kvcounter.Analyzer, "./kvcounter")
}

func TestCloudflareV030(t *testing.T) {
	analysistest.Run(t, sdkmods.Dir("cfv030"), kvcounter.Analyzer, "./kvcounter")
}
