package kvttl

import (
	"math/rand/v2"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"kvlint.test/syumai033/kvstore"
)

// Lifetimes with a random amount added, so that keys written together do
// not all expire together.

func publishSnapshot(v string) error {
	life := 45*time.Second + rand.N(10*time.Second)
	return ns.PutString("snapshot", v, &kv.PutOptions{ExpirationTTL: int(life.Seconds())}) // want `ExpirationTTL can be as low as 45s`
}

// Quiet: the jitter is added to a minute.
func publishSnapshotMinute(v string) error {
	life := time.Minute + rand.N(30*time.Second)
	return ns.PutString("snapshot-minute", v, &kv.PutOptions{ExpirationTTL: int(life.Seconds())})
}

// Through a wrapper that sets the lifetime only when one is given.
func publishSnapshotOptional(st *kvstore.Store, v string) error {
	return st.SetOptional("snapshot-opt", v, 45*time.Second+rand.N(10*time.Second)) // want `can be as low as 45s`
}

// Quiet: the same, from a minute.
func publishSnapshotOptionalMinute(st *kvstore.Store, v string) error {
	return st.SetOptional("snapshot-opt-minute", v, time.Minute+rand.N(10*time.Second))
}
