package kvttl_test

import (
	"testing"

	"github.com/kvlint/kvlint/analyzers/internal/kvtest"
	"github.com/kvlint/kvlint/analyzers/kvttl"
)

func TestMain(m *testing.M) { kvtest.Main(m) }

// Each test module pins one SDK version; the cases are in its kvttl
// package, with .golden files for the suggested fixes.
func TestSyumaiV033(t *testing.T) {
	kvtest.RunWithSuggestedFixes(t, "syumai033", kvttl.Analyzer, "./kvttl/...")
}
func TestSyumaiV027(t *testing.T) {
	kvtest.RunWithSuggestedFixes(t, "syumai027", kvttl.Analyzer, "./kvttl")
}
func TestCloudflareV0119(t *testing.T) {
	kvtest.RunWithSuggestedFixes(t, "cfv0119", kvttl.Analyzer, "./kvttl")
}
func TestCloudflareV030(t *testing.T) {
	kvtest.RunWithSuggestedFixes(t, "cfv030", kvttl.Analyzer, "./kvttl")
}
func TestCloudflareV6(t *testing.T) {
	kvtest.RunWithSuggestedFixes(t, "cfv6", kvttl.Analyzer, "./kvttl")
}

// Any major version of the generated SDK: v4 as well as v6.
func TestCloudflareV4(t *testing.T) {
	kvtest.RunWithSuggestedFixes(t, "cfv4", kvttl.Analyzer, "./kvttl")
}

// TTLs given as a time.Duration to a configured KV-shaped interface.
func TestConfiguredInterface(t *testing.T) {
	kvtest.Interfaces(t)
	kvtest.Run(t, "syumai033", kvttl.Analyzer, "./iface/ttl")
}

// Options held by pointer, TTL *time.Duration and ExpireAt *time.Time,
// configured as fields that an adapter elsewhere reads, as go vet is given
// them by kvlint --print-interfaces.
func TestConfiguredPointerFields(t *testing.T) {
	const pkg = "kvlint.test/syumai033/iface/optional."
	kvtest.Configure(t, pkg+"Store.Put=put(key=1,value=2);"+pkg+"WriteOpts.TTL=put(ttl);"+pkg+"WriteOpts.ExpireAt=put(expiration);"+pkg+"Pair.ExpirationTTL=bulkput(ttl);"+pkg+"Pair.Expiration=bulkput(expiration)")
	kvtest.Run(t, "syumai033", kvttl.Analyzer, "./iface/optional")
}

// A port that takes a whole entry, and a board whose caller stacks
// decorators on it: one that raises the entry's lifetime to a minute
// makes 30 s fine, by value receiver or through a method that fixes the
// entry.
func TestConfiguredEntryFloors(t *testing.T) {
	const pkg = "kvlint.test/syumai033/iface/entries."
	kvtest.Configure(t, pkg+"Store.Put=put(key=0.Key,value=0.Value,ttl=0.TTL)")
	kvtest.Run(t, "syumai033", kvttl.Analyzer, "./iface/entries/...")
}

// v3, whose TTLs go through its bulk write.
func TestCloudflareV3(t *testing.T) {
	kvtest.RunWithSuggestedFixes(t, "cfv3", kvttl.Analyzer, "./kvttl")
}

// The KV REST API over net/http, with no SDK.
func TestREST(t *testing.T) {
	kvtest.RunWithSuggestedFixes(t, "rest", kvttl.Analyzer, "./kvttl")
}

// Parameters kept in a map by key and sent by a later loop.
func TestKeptParams(t *testing.T) {
	kvtest.RunWithSuggestedFixes(t, "cfv6", kvttl.Analyzer, "./keptparams")
}
