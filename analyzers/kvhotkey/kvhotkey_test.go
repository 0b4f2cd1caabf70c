package kvhotkey_test

import (
	"testing"

	"github.com/kvlint/kvlint/analyzers/internal/kvtest"
	"github.com/kvlint/kvlint/analyzers/kvhotkey"
)

func TestMain(m *testing.M) { kvtest.Main(m) }

// Loops and handlers that write one key, and their look-alikes.
func TestSyumai(t *testing.T) { kvtest.Run(t, "syumai033", kvhotkey.Analyzer, "./kvhotkey") }

// A status key in a backend's sync loop, through a helper.
func TestCloudflareV6(t *testing.T) { kvtest.Run(t, "cfv6", kvhotkey.Analyzer, "./kvhotkey") }

// The KV REST API over net/http, with no SDK.
func TestREST(t *testing.T) { kvtest.Run(t, "rest", kvhotkey.Analyzer, "./kvhotkey") }

// cloudflare-go v0, whose adapters write one pair through the bulk write.
func TestCloudflareV0119(t *testing.T) { kvtest.Run(t, "cfv0119", kvhotkey.Analyzer, "./kvhotkey") }
