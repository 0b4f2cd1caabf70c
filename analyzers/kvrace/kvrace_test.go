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

// A port with an optional capability, found by a type assertion, whose
// adapter writes one pair through the bulk endpoint: configured as the
// kvlint command discovers it (kvlint --print-interfaces).
func TestOptionalCapability(t *testing.T) {
	const pkg = "kvlint.test/cfv0119/capstore."
	kvtest.Configure(t, pkg+"MetaWriter.PutMeta=bulk put(key=1,metadata=3,value=2);"+
		pkg+"Namespace.Get=get(key=1);"+pkg+"Namespace.Put=bulk put(key=1,value=2)")
	kvtest.Run(t, "cfv0119", kvrace.Analyzer, "./capclaim")
}

// The package of units of work: a wrapper's read-modify-write of a key
// given as a fmt.Stringer, asked for its text twice.
func TestUnits(t *testing.T) { kvtest.Run(t, "syumai033", kvrace.Analyzer, "./units") }

// A store installed once and used through package-level functions, whose
// Get reads in a closure under a timeout, and generic helpers that decode
// into a record naming its own key.
func TestDefaultInstance(t *testing.T) {
	kvtest.Run(t, "syumai033", kvrace.Analyzer, "./defaultuse")
}

// Active records: a finder makes the record and sets its key field, the
// record loads and saves itself; in the finder's package and another.
func TestActiveRecords(t *testing.T) {
	kvtest.Run(t, "cfv6", kvrace.Analyzer, "./records/finder")
	kvtest.Run(t, "cfv6", kvrace.Analyzer, "./records/licenses")
}

// Active records whose store is a port beside a clock port, found through
// a finder made in the same expression, one saved in a retry closure.
func TestActiveRecordsOnPorts(t *testing.T) {
	const pkg = "kvlint.test/cfv6/records/seats.KV."
	kvtest.Configure(t, pkg+"Get=get(key=1);"+pkg+"Put=put(key=1,value=2)")
	kvtest.Run(t, "cfv6", kvrace.Analyzer, "./records/seats")
}

// A wrapper whose one-value write is one pair of its own bulk write, cut
// with slices.Chunk: the pair's key is the caller's.
func TestCloudflareV3(t *testing.T) { kvtest.Run(t, "cfv3", kvrace.Analyzer, "./kvrace") }
