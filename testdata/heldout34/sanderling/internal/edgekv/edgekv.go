//go:build js && wasm

// Package edgekv is the Worker's layer over its KV bindings. The namespaces
// are package variables bound once by Init at startup; the helpers here are
// plain functions over them, plus a Store type that domain repositories embed.
package edgekv

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/syumai/workers/cloudflare"

	"github.com/helpdeskco/sanderling/internal/kverr"
	"github.com/helpdeskco/sanderling/internal/load"
	"github.com/helpdeskco/sanderling/internal/maybe"
)

// Null is what the binding's GetString returns for a key that has no value.
const Null = "<null>"

// Bindings declared in wrangler.toml.
var (
	Tickets  *cloudflare.KVNamespace
	Sessions *cloudflare.KVNamespace
	Widget   *cloudflare.KVNamespace
	Canned   *cloudflare.KVNamespace
)

// Init binds the namespaces. It must run once before serving.
func Init() error {
	binds := []struct {
		name string
		dst  **cloudflare.KVNamespace
	}{
		{"TICKETS", &Tickets},
		{"SESSIONS", &Sessions},
		{"WIDGET", &Widget},
		{"CANNED", &Canned},
	}
	for _, b := range binds {
		ns, err := cloudflare.NewKVNamespace(b.name)
		if err != nil {
			return fmt.Errorf("bind %s: %w", b.name, err)
		}
		*b.dst = ns
	}
	return nil
}

// Lookup reads key from ns; a missing key is None.
func Lookup(ns *cloudflare.KVNamespace, key string) (maybe.Maybe[string], error) {
	v, err := ns.GetString(key, nil)
	if err != nil {
		return maybe.None[string](), fmt.Errorf("kv get %q: %w", key, err)
	}
	if v == Null {
		return maybe.None[string](), nil
	}
	return maybe.Some(v), nil
}

// Read decodes the JSON value at key. A missing key yields a *kverr.MissError.
func Read[T any](ns *cloudflare.KVNamespace, key string) maybe.Result[T] {
	m, err := Lookup(ns, key)
	if err != nil {
		return maybe.Fail[T](err)
	}
	raw, ok := m.Get()
	if !ok {
		return maybe.Fail[T](&kverr.MissError{Namespace: "edge", Key: key})
	}
	var v T
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		return maybe.Fail[T](fmt.Errorf("decode %q: %w", key, err))
	}
	return maybe.Ok(v)
}

// PutString writes val under key. A ttl of zero stores it without expiry.
func PutString(ns *cloudflare.KVNamespace, key, val string, ttl time.Duration) error {
	var opts *cloudflare.KVNamespacePutOptions
	if ttl > 0 {
		opts = &cloudflare.KVNamespacePutOptions{ExpirationTTL: int(ttl.Seconds())}
	}
	if err := ns.PutString(key, val, opts); err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// SaveJSON encodes v and writes it under key. Values that know their own
// lifetime (an Expiry method) are stored with it.
func SaveJSON(ns *cloudflare.KVNamespace, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	var ttl time.Duration
	if e, ok := v.(interface{ Expiry() time.Duration }); ok {
		ttl = e.Expiry()
	}
	return PutString(ns, key, string(b), ttl)
}

// Bind returns a getter and a setter fixed to one key. The getter returns the
// binding's raw string.
func Bind(ns *cloudflare.KVNamespace, key string) (get func() (string, error), set func(val string, ttl time.Duration) error) {
	get = func() (string, error) {
		return ns.GetString(key, nil)
	}
	set = func(val string, ttl time.Duration) error {
		return PutString(ns, key, val, ttl)
	}
	return get, set
}

// Prefixed returns a key builder for one fixed prefix.
func Prefixed(prefix string) func(parts ...string) string {
	return func(parts ...string) string {
		k := prefix
		for _, p := range parts {
			k += ":" + p
		}
		return k
	}
}

// Store is the base for the Worker's repositories: a namespace plus the
// shared get/put/delete helpers. Put never stores a lifetime below MinTTL.
type Store struct {
	NS     *cloudflare.KVNamespace
	MinTTL time.Duration
}

// Get returns the value at key, or None.
func (s Store) Get(key string) (maybe.Maybe[string], error) {
	return Lookup(s.NS, key)
}

// GetJSON decodes the value at key into dst and reports whether it existed.
func (s Store) GetJSON(key string, dst any) (bool, error) {
	m, err := s.Get(key)
	if err != nil {
		return false, err
	}
	raw, ok := m.Get()
	if !ok {
		return false, nil
	}
	return true, json.Unmarshal([]byte(raw), dst)
}

// Put writes val with ttl, raised to the store's floor.
func (s Store) Put(key, val string, ttl time.Duration) error {
	floor := s.MinTTL
	if floor < time.Minute {
		floor = time.Minute
	}
	if ttl > 0 && ttl < floor {
		ttl = floor
	}
	return PutString(s.NS, key, val, ttl)
}

// PutJSON encodes v and writes it with ttl.
func (s Store) PutJSON(key string, v any, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.Put(key, string(b), ttl)
}

// Delete removes key.
func (s Store) Delete(key string) error {
	if err := s.NS.Delete(key); err != nil {
		return fmt.Errorf("kv delete %q: %w", key, err)
	}
	return nil
}

// ReadThrough returns the cached value at key, loading it from l and caching
// it for ttl on a miss.
func (s Store) ReadThrough(ctx context.Context, key string, ttl time.Duration, l load.Loader) ([]byte, error) {
	m, err := s.Get(key)
	if err != nil {
		return nil, err
	}
	if v, ok := m.Get(); ok {
		return []byte(v), nil
	}
	b, err := l.Load(ctx, key)
	if err != nil {
		return nil, err
	}
	if err := s.Put(key, string(b), ttl); err != nil {
		return nil, err
	}
	return b, nil
}
