package kvlimits_test

import (
	"testing"

	"github.com/kvlint/kvlint/analyzers/internal/kvtest"
	"github.com/kvlint/kvlint/analyzers/kvlimits"
)

func TestMain(m *testing.M) { kvtest.Main(m) }

// Keys, limits and values inside a Worker, with golden fixes.
func TestSyumai(t *testing.T) {
	kvtest.RunWithSuggestedFixes(t, "syumai033", kvlimits.Analyzer, "./kvlimits")
}

// Bulk writes and gets, REST limits and metadata from a backend.
func TestCloudflareV6(t *testing.T) {
	kvtest.RunWithSuggestedFixes(t, "cfv6", kvlimits.Analyzer, "./kvlimits")
}

// The KV REST API over net/http, with no SDK.
func TestREST(t *testing.T) { kvtest.Run(t, "rest", kvlimits.Analyzer, "./kvlimits") }

// Metadata of the entries given to a wrapper that writes them in chunks.
func TestCloudflareV3(t *testing.T) { kvtest.Run(t, "cfv3", kvlimits.Analyzer, "./kvlimits") }
