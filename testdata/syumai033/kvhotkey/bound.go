package kvhotkey

import (
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"kvlint.test/syumai033/bindkv"
)

// A setter bound to one key, captured by the job and called per shard.
func publishShards(shards []string) func() error { // want publishShards:"kvhotkey"
	_, set := bindkv.Bind("CONFIG", "config:delivery")
	return func() error {
		for _, s := range shards {
			if err := set(s, time.Hour); err != nil { // want `this loop writes the same KV key on every iteration`
				return err
			}
		}
		return nil
	}
}

// putMaybeFor writes v under key, with a lifetime when one is given.
func putMaybeFor(ns *kv.Namespace, key, v string, ttl time.Duration) error {
	if ttl == 0 {
		return ns.PutString(key, v, nil)
	}
	return ns.PutString(key, v, &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())})
}

// The wrapper's branch is the caller's to choose: with no lifetime, it
// writes the fixed key on every request.
func ingestEvent(w http.ResponseWriter, r *http.Request) { // want ingestEvent:"kvhotkey"
	_ = putMaybeFor(game, joinKey("hub", "last-ingest"), time.Now().UTC().Format(time.RFC3339), 0) // want `this handler writes the same KV key on every request`
}
