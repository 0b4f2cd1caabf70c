package kvrace_test

import (
	"testing"

	"github.com/kvlint/kvlint/analyzers/internal/kvtest"
	"github.com/kvlint/kvlint/analyzers/kvrace"
)

func TestMain(m *testing.M) { kvtest.Main(m) }

// Worker code: closures, goroutines, defer, local helpers and a wrapper
// package (testdata/syumai033/kvstore), beside read-through caches and
// other look-alikes.
func TestSyumai(t *testing.T) { kvtest.Run(t, "syumai033", kvrace.Analyzer, "./kvrace") }

// Backends over the REST SDKs; a counter there is kvcounter's, not kvrace's.
func TestCloudflareV6(t *testing.T) { kvtest.Run(t, "cfv6", kvrace.Analyzer, "./kvrace") }
func TestCloudflareV0(t *testing.T) { kvtest.Run(t, "cfv0119", kvrace.Analyzer, "./kvrace") }

// Calls through a configured KV-shaped interface.
func TestConfiguredInterface(t *testing.T) {
	kvtest.Interfaces(t)
	kvtest.Run(t, "syumai033", kvrace.Analyzer, "./iface/race")
}

// The KV REST API over net/http, with no SDK.
func TestREST(t *testing.T) {
	kvtest.Run(t, "rest", kvrace.Analyzer, "./kvrace")
	kvtest.Run(t, "rest", kvrace.Analyzer, "./kvracesvc")
}
