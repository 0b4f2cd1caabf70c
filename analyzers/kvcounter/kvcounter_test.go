package kvcounter_test

import (
	"testing"

	"github.com/kvlint/kvlint/analyzers/internal/kvtest"
	"github.com/kvlint/kvlint/analyzers/kvcounter"
)

func TestMain(m *testing.M) { kvtest.Main(m) }

// Rate limits, view counters and quotas in a Worker, beside keys that
// only look like counts.
func TestSyumai(t *testing.T) { kvtest.Run(t, "syumai033", kvcounter.Analyzer, "./kvcounter") }

// An actor's increment, made in its goroutine, is reported there and not
// at the callers of the method that sends it (kvcounter/actor.go).
func TestActor(t *testing.T) { kvtest.Run(t, "syumai033", kvcounter.Analyzer, "./actor") }

// The REST SDK, current and old method names.
func TestCloudflareV0119(t *testing.T) { kvtest.Run(t, "cfv0119", kvcounter.Analyzer, "./kvcounter") }
func TestCloudflareV030(t *testing.T)  { kvtest.Run(t, "cfv030", kvcounter.Analyzer, "./kvcounter") }

// A counter through a configured KV-shaped interface.
func TestConfiguredInterface(t *testing.T) {
	kvtest.Interfaces(t)
	kvtest.Run(t, "syumai033", kvcounter.Analyzer, "./iface/counter")
}

// The KV REST API over net/http, with no SDK.
func TestREST(t *testing.T) { kvtest.Run(t, "rest", kvcounter.Analyzer, "./kvcounter") }

// A helper that builds every put's parameters from the text it is given:
// a limit through it is no count, though a sum goes through it elsewhere.
func TestValueHelper(t *testing.T) { kvtest.Run(t, "cfv6", kvcounter.Analyzer, "./valuehelper") }

// A count read and written back through a generated data layer, reported
// at the calls, not inside the generated file.
func TestGenerated(t *testing.T) {
	kvtest.Run(t, "cfv6", kvcounter.Analyzer, "./gensql", "./gensql/views")
}
