package kvnull_test

import (
	"testing"

	"github.com/kvlint/kvlint/analyzers/internal/kvtest"
	"github.com/kvlint/kvlint/analyzers/kvnull"
)

func TestMain(m *testing.M) { kvtest.Main(m) }

// GetString's "<null>", GetReader's reader, errors taken for misses, with
// golden files for the fixed miss checks.
func TestSyumai(t *testing.T) {
	kvtest.RunWithSuggestedFixes(t, "syumai033", kvnull.Analyzer, "./kvnull")
}

// Errors taken for misses before a write, in the generated SDK.
func TestCloudflareV6(t *testing.T) { kvtest.Run(t, "cfv6", kvnull.Analyzer, "./kvnull") }

// cloudflare-go v0, whose single-key write takes no lifetime: adapters
// write one pair through the bulk endpoint.
func TestCloudflareV0119(t *testing.T) { kvtest.Run(t, "cfv0119", kvnull.Analyzer, "./kvnull") }

// The KV REST API over net/http, with no SDK.
func TestREST(t *testing.T) { kvtest.Run(t, "rest", kvnull.Analyzer, "./kvnull") }

// cloudflare-go v2's *string, looked at after the error was returned.
func TestCloudflareV2(t *testing.T) { kvtest.Run(t, "cfv3", kvnull.Analyzer, "./kvnull") }
