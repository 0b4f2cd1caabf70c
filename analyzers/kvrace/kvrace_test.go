package kvrace_test

import (
	"fmt"
	"os"
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/kvlint/kvlint/analyzers/kvapi"
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

// Calls through an interface that the user configured as KV-shaped.
func TestConfiguredInterface(t *testing.T) {
	configureInterfaces(t)
	t.Setenv("GOOS", "js")
	t.Setenv("GOARCH", "wasm")
	analysistest.Run(t, sdkmods.Dir("syumai033"), kvrace.Analyzer, "./iface/race")
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
