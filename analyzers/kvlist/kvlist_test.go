package kvlist_test

import (
	"testing"

	"github.com/kvlint/kvlint/analyzers/internal/kvtest"
	"github.com/kvlint/kvlint/analyzers/kvlist"
)

func TestMain(m *testing.M) { kvtest.Main(m) }

// Cursor loops written in several styles, an empty-page exit, the first
// page only, N+1 gets, and bounded look-alikes.
func TestSyumai(t *testing.T) { kvtest.Run(t, "syumai033", kvlist.Analyzer, "./kvlist") }

// Auto-pagers of the generated SDK.
func TestCloudflareV6(t *testing.T) { kvtest.Run(t, "cfv6", kvlist.Analyzer, "./kvlist") }

// The KV REST API over net/http, with no SDK.
func TestREST(t *testing.T) { kvtest.Run(t, "rest", kvlist.Analyzer, "./kvlist") }

// cloudflare-go v0, whose options are set field by field.
func TestCloudflareV0(t *testing.T) { kvtest.Run(t, "cfv0119", kvlist.Analyzer, "./kvlist") }

// A configured port's page method, whose cursor result the caller uses
// or drops.
func TestConfiguredPager(t *testing.T) {
	kvtest.Configure(t, "kvlint.test/syumai033/kvlist/pages.Pager.Page=list(prefix=0,cursor=1)")
	kvtest.Run(t, "syumai033", kvlist.Analyzer, "./kvlist/portpaged")
}
