//go:build js && wasm

// Package edge is the Cloudflare Worker: public listings, applications,
// employer sign-in and saved searches, served from the KV binding.
package edge

import (
	"fmt"
	"time"

	"github.com/syumai/workers/cloudflare"
)

// nullText is how the binding renders a missing key through GetString.
const nullText = "<null>"

// bucket wraps the KV binding with the conventions the Worker uses.
type bucket struct {
	ns *cloudflare.KVNamespace
}

func openBucket(binding string) (bucket, error) {
	ns, err := cloudflare.NewKVNamespace(binding)
	if err != nil {
		return bucket{}, fmt.Errorf("edge: binding %s: %w", binding, err)
	}
	return bucket{ns: ns}, nil
}

// text returns the value at key, with ok == false for a missing key.
func (b bucket) text(key string) (string, bool, error) {
	v, err := b.ns.GetString(key, nil)
	if err != nil {
		return "", false, err
	}
	if v == nullText {
		return "", false, nil
	}
	return v, true, nil
}

// put stores val at key; a positive ttl is passed to KV in whole seconds.
func (b bucket) put(key, val string, ttl time.Duration) error {
	opts := &cloudflare.KVNamespacePutOptions{}
	if ttl > 0 {
		opts.ExpirationTTL = int(ttl.Seconds())
	}
	return b.ns.PutString(key, val, opts)
}

// putFloor is put for computed lifetimes: anything under a minute is
// stored for a minute.
func (b bucket) putFloor(key, val string, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return b.put(key, val, ttl)
}

func (b bucket) del(key string) error { return b.ns.Delete(key) }
