package kvsession_test

import (
	"testing"

	"github.com/kvlint/kvlint/analyzers/internal/kvtest"
	"github.com/kvlint/kvlint/analyzers/kvsession"
)

func TestMain(m *testing.M) { kvtest.Main(m) }

// Logout, redemption, rotation, revocation lists, sliding expiry and carts
// on the Workers SDK, directly and through a wrapper package.
func TestSyumai(t *testing.T) { kvtest.Run(t, "syumai033", kvsession.Analyzer, "./kvsession") }

// Through a configured storage port.
func TestConfiguredInterface(t *testing.T) {
	kvtest.Interfaces(t)
	kvtest.Run(t, "syumai033", kvsession.Analyzer, "./iface/session")
}

// Under go vet, with the port configured as the kvlint command prints
// it: handlers that call the server through its interface are not
// reported again for the revocation inside the server.
func TestConfiguredServer(t *testing.T) {
	kvtest.Configure(t, "kvlint.test/cfv6/devicerpc.DeviceServer.RevokeDevice=put(key=1.DeviceID,value=1.Reason)")
	kvtest.Run(t, "cfv6", kvsession.Analyzer, "./devicerpc")
}

// Strict mode also reports the creation of credentials.
func TestStrict(t *testing.T) {
	a := kvsession.New(kvsession.Config{Credentials: kvsession.DefaultConfig.Credentials, State: kvsession.DefaultConfig.State, Strict: true})
	kvtest.Run(t, "cfv6", a, "./kvsession")
}

// Through a builder on the generated SDK, in the default mode.
func TestCloudflareV6(t *testing.T) { kvtest.Run(t, "cfv6", kvsession.Analyzer, "./sessions") }

// A session read by a loader of the package, and records keyed by what
// it names: the listener's subscriptions, a lobby it joins.
func TestLoaders(t *testing.T) { kvtest.Run(t, "cfv6", kvsession.Analyzer, "./listeners") }

// Keys listed under a prefix that a builder names, then deleted one by
// one, in a package whose name says nothing.
func TestListedPrefixes(t *testing.T) { kvtest.Run(t, "cfv6", kvsession.Analyzer, "./staff") }

// A unit of work's staged delete of a key type of another package.
func TestStagedKeyTypes(t *testing.T) { kvtest.Run(t, "syumai033", kvsession.Analyzer, "./rotation") }

// A console on cloudflare-go v0: SDK parameters made by a helper method,
// and a logout that deletes the key a helper returned.
func TestCloudflareV0(t *testing.T) { kvtest.Run(t, "cfv0119", kvsession.Analyzer, "./kvsession") }

// A generated data layer's delete, reported where the code that calls it
// is, not inside the generated file.
func TestGenerated(t *testing.T) {
	kvtest.Run(t, "cfv6", kvsession.Analyzer, "./gensql", "./gensql/logout")
}
