//go:build js && wasm

// Package edgekv adapts the Worker's KV bindings (syumai/workers) for the
// edge packages: a Base that repositories embed, key-bound accessors, and
// the namespaces opened at startup.
package edgekv

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"kittiwake/internal/kverr"
)

// nullValue is what GetString yields for a missing key: syscall/js renders
// the JavaScript null that KV returns as "<null>".
const nullValue = "<null>"

// IsNull reports whether a GetString result stands for a missing key.
func IsNull(v string) bool { return v == nullValue }

// Base is the KV access every edge repository embeds.
type Base struct {
	NS       *kv.Namespace
	CacheTTL int
}

func (b *Base) getOptions() *kv.GetOptions {
	if b.CacheTTL == 0 {
		return nil
	}
	return &kv.GetOptions{CacheTTL: b.CacheTTL}
}

// Lookup reads a string value.
func (b *Base) Lookup(key string) (kverr.Maybe[string], error) {
	v, err := b.NS.GetString(key, b.getOptions())
	if err != nil {
		return kverr.None[string](), fmt.Errorf("edgekv: get %q: %w", key, err)
	}
	if v == nullValue {
		return kverr.None[string](), nil
	}
	return kverr.Some(v), nil
}

// Load decodes the JSON value at key into dst and reports whether it existed.
func (b *Base) Load(key string, dst any) (bool, error) {
	m, err := b.Lookup(key)
	if err != nil {
		return false, err
	}
	raw, ok := m.Get()
	if !ok {
		return false, nil
	}
	if err := json.Unmarshal([]byte(raw), dst); err != nil {
		return false, fmt.Errorf("edgekv: decode %q: %w", key, err)
	}
	return true, nil
}

// Store writes a string value. A zero ttl stores it without expiration.
func (b *Base) Store(key, value string, ttl time.Duration) error {
	var opts *kv.PutOptions
	if ttl > 0 {
		opts = &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())}
	}
	if err := b.NS.PutString(key, value, opts); err != nil {
		return fmt.Errorf("edgekv: put %q: %w", key, err)
	}
	return nil
}

// Save encodes v as JSON and stores it. Values that know their own lifetime
// (an Expiry method) override ttl.
func (b *Base) Save(key string, v any, ttl time.Duration) error {
	if e, ok := v.(interface{ Expiry() time.Duration }); ok {
		ttl = e.Expiry()
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("edgekv: encode %q: %w", key, err)
	}
	return b.Store(key, string(raw), ttl)
}

// Remove deletes a key.
func (b *Base) Remove(key string) error {
	if err := b.NS.Delete(key); err != nil {
		return fmt.Errorf("edgekv: delete %q: %w", key, err)
	}
	return nil
}

// Mutate reads the value at key, passes it to fn and writes fn's result back.
func (b *Base) Mutate(key string, ttl time.Duration, fn func(cur string, found bool) (string, error)) error {
	cur, err := b.NS.GetString(key, nil)
	if err != nil {
		return fmt.Errorf("edgekv: get %q: %w", key, err)
	}
	next, err := fn(cur, cur != nullValue)
	if err != nil {
		return err
	}
	opts := &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())}
	return b.NS.PutString(key, next, opts) // EXPECT kvrace
}

// Bind returns a getter and a setter for one key.
func Bind(ns *kv.Namespace, key string, ttl time.Duration) (get func() (string, bool, error), set func(string) error) {
	get = func() (string, bool, error) {
		v, err := ns.GetString(key, nil)
		if err != nil {
			return "", false, err
		}
		if v == nullValue {
			return "", false, nil
		}
		return v, true, nil
	}
	set = func(v string) error {
		var opts *kv.PutOptions
		if ttl > 0 {
			opts = &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())}
		}
		return ns.PutString(key, v, opts)
	}
	return get, set
}

// Page lists one page of keys under prefix and returns the cursor of the
// next page, or "" when the listing is complete.
func Page(ns *kv.Namespace, prefix, cursor string, limit int) ([]string, string, error) {
	res, err := ns.List(&kv.ListOptions{Prefix: prefix, Cursor: cursor, Limit: limit})
	if err != nil {
		return nil, "", fmt.Errorf("edgekv: list %q: %w", prefix, err)
	}
	names := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		names = append(names, k.Name)
	}
	if res.ListComplete {
		return names, "", nil
	}
	return names, res.Cursor, nil
}
