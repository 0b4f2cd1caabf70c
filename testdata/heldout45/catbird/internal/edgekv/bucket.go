//go:build js && wasm

// Package edgekv is the Worker's adapter over a KV binding.
package edgekv

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// Null is what the binding hands back, as a string, for a key that does not exist.
const Null = "<null>"

// MinTTL is the shortest expiration KV accepts.
const MinTTL = time.Minute

// Bucket wraps one KV binding. Open it per request: the binding is only
// reachable while the runtime context is alive.
type Bucket struct {
	Binding string
	ns      *kv.Namespace
}

// Open binds to the namespace named binding in wrangler.toml.
func Open(binding string) (Bucket, error) {
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		return Bucket{}, fmt.Errorf("edgekv: open %s: %w", binding, err)
	}
	return Bucket{Binding: binding, ns: ns}, nil
}

// NS exposes the raw namespace for callers that need list or get options.
func (b Bucket) NS() *kv.Namespace { return b.ns }

// Get returns the value under key and whether it exists.
func (b Bucket) Get(key string) (string, bool, error) {
	v, err := b.ns.GetString(key, nil)
	if err != nil {
		return "", false, fmt.Errorf("edgekv: get %q: %w", key, err)
	}
	if v == Null {
		return "", false, nil
	}
	return v, true, nil
}

// GetJSON decodes the value under key into dst.
func (b Bucket) GetJSON(key string, dst any) (bool, error) {
	v, found, err := b.Get(key)
	if err != nil || !found {
		return false, err
	}
	if err := json.Unmarshal([]byte(v), dst); err != nil {
		return false, fmt.Errorf("edgekv: decode %q: %w", key, err)
	}
	return true, nil
}

// Put stores val under key. A zero ttl means no expiration; anything shorter
// than KV's floor is raised to it.
func (b Bucket) Put(key, val string, ttl time.Duration) error {
	var opts *kv.PutOptions
	if ttl > 0 {
		if ttl < MinTTL {
			ttl = MinTTL
		}
		opts = &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())}
	}
	if err := b.ns.PutString(key, val, opts); err != nil {
		return fmt.Errorf("edgekv: put %q: %w", key, err)
	}
	return nil
}

// PutJSON encodes v and stores it under key.
func (b Bucket) PutJSON(key string, v any, ttl time.Duration) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(key, string(raw), ttl)
}

// Delete removes key.
func (b Bucket) Delete(key string) error {
	if err := b.ns.Delete(key); err != nil {
		return fmt.Errorf("edgekv: delete %q: %w", key, err)
	}
	return nil
}

// Scan calls fn for every key under prefix, reading at most maxPages pages.
// It reports whether the listing was exhausted.
func (b Bucket) Scan(prefix string, maxPages int, fn func(k *kv.ListKey) error) (bool, error) {
	opts := &kv.ListOptions{Prefix: prefix, Limit: 1000}
	for page := 0; page < maxPages; page++ {
		res, err := b.ns.List(opts)
		if err != nil {
			return false, fmt.Errorf("edgekv: list %q: %w", prefix, err)
		}
		for _, k := range res.Keys {
			if err := fn(k); err != nil {
				return false, err
			}
		}
		if res.ListComplete {
			return true, nil
		}
		opts.Cursor = res.Cursor
	}
	return false, nil
}
