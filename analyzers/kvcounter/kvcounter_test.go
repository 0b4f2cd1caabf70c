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
