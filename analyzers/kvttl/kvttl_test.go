package kvttl_test

import (
	"fmt"
	"os"
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/kvlint/kvlint/analyzers/kvapi"
	"github.com/kvlint/kvlint/analyzers/kvttl"
	"github.com/kvlint/kvlint/internal/sdkmods"
)

func TestMain(m *testing.M) {
	if err := sdkmods.Download(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

// Each test module pins one SDK version; the fixtures are in its kvttl package.
func TestSyumaiV033(t *testing.T) {
	t.Setenv("GOOS", "js")
	t.Setenv("GOARCH", "wasm")
	analysistest.RunWithSuggestedFixes(t, sdkmods.Dir("syumai033"), kvttl.Analyzer, "./kvttl")
}

func TestSyumaiV027(t *testing.T) {
	t.Setenv("GOOS", "js")
	t.Setenv("GOARCH", "wasm")
	analysistest.RunWithSuggestedFixes(t, sdkmods.Dir("syumai027"), kvttl.Analyzer, "./kvttl")
}

func TestCloudflareV0119(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, sdkmods.Dir("cfv0119"), kvttl.Analyzer, "./kvttl")
}

func TestCloudflareV030(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, sdkmods.Dir("cfv030"), kvttl.Analyzer, "./kvttl")
}

func TestCloudflareV6(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, sdkmods.Dir("cfv6"), kvttl.Analyzer, "./kvttl")
}

func TestCloudflareV4(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, sdkmods.Dir("cfv4"), kvttl.Analyzer, "./kvttl")
}

// Calls through an interface that the user configured as KV-shaped.
func TestConfiguredInterface(t *testing.T) {
	configureInterfaces(t)
	t.Setenv("GOOS", "js")
	t.Setenv("GOARCH", "wasm")
	analysistest.Run(t, sdkmods.Dir("syumai033"), kvttl.Analyzer, "./iface/ttl")
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
