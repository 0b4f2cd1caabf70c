package kvcounter_test

import (
	"fmt"
	"os"
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/kvlint/kvlint/analyzers/kvapi"
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

// Calls through an interface that the user configured as KV-shaped.
func TestConfiguredInterface(t *testing.T) {
	configureInterfaces(t)
	t.Setenv("GOOS", "js")
	t.Setenv("GOARCH", "wasm")
	analysistest.Run(t, sdkmods.Dir("syumai033"), kvcounter.Analyzer, "./iface/counter")
}

// configureInterfaces names the fixture's KV-shaped interface, as the
// -kvapi.interfaces flag does, for the duration of the test.
func configureInterfaces(t *testing.T) {
	flag := kvapi.Analyzer.Flags.Lookup("interfaces")
	if err := flag.Value.Set("kvlint.test/syumai033/iface.Cache.Get=get(key=1);kvlint.test/syumai033/iface.Cache.Put=put(key=1,value=2,ttl=3)"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { flag.Value.Set("") })
}
