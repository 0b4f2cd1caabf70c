//go:build js && wasm

// Package edgekv adapts the Workers KV binding to the shapes the edge
// handlers need: string values with a found flag, JSON helpers, and
// lifetimes as time.Duration instead of bare seconds.
package edgekv

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// Binding is the wrangler.toml name of the fleet namespace.
const Binding = "FLEET_KV"

// MinTTL is the shortest lifetime KV accepts for a key.
const MinTTL = time.Minute

// jsNull is how syscall/js renders a JS null through GetString.
const jsNull = "<null>"

// ErrNotFound is returned by the typed getters when a key does not exist.
var ErrNotFound = errors.New("edgekv: key not found")

// Store wraps one KV namespace binding.
type Store struct {
	ns      *kv.Namespace
	binding string
}

// Open binds the namespace named in wrangler.toml. It must be called while a
// request, queue batch or scheduled event is being handled.
func Open(binding string) (*Store, error) {
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		return nil, fmt.Errorf("bind %s: %w", binding, err)
	}
	return &Store{ns: ns, binding: binding}, nil
}

// Namespace exposes the underlying binding for callers that need options the
// Store does not model.
func (s *Store) Namespace() *kv.Namespace { return s.ns }

// Get reads key and reports whether it existed.
func (s *Store) Get(key string) (string, bool, error) {
	v, err := s.ns.GetString(key, nil)
	if err != nil {
		return "", false, fmt.Errorf("%s get %q: %w", s.binding, key, err)
	}
	if v == jsNull {
		return "", false, nil
	}
	return v, true, nil
}

// GetCached is Get with an edge cache lifetime for write-rarely keys.
func (s *Store) GetCached(key string, cacheFor time.Duration) (string, bool, error) {
	v, err := s.ns.GetString(key, &kv.GetOptions{CacheTTL: int(cacheFor.Seconds())})
	if err != nil {
		return "", false, fmt.Errorf("%s get %q: %w", s.binding, key, err)
	}
	if v == jsNull {
		return "", false, nil
	}
	return v, true, nil
}

// GetJSON decodes the value at key into dst. It returns ErrNotFound when the
// key does not exist.
func (s *Store) GetJSON(key string, dst any) error {
	v, found, err := s.Get(key)
	if err != nil {
		return err
	}
	if !found {
		return ErrNotFound
	}
	return json.Unmarshal([]byte(v), dst)
}

// Put writes value. A ttl of zero stores the key without expiry.
func (s *Store) Put(key, value string, ttl time.Duration) error {
	var opts *kv.PutOptions
	if ttl > 0 {
		opts = &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())}
	}
	if err := s.ns.PutString(key, value, opts); err != nil {
		return fmt.Errorf("%s put %q: %w", s.binding, key, err)
	}
	return nil
}

// PutAtLeast writes value with ttl raised to the KV minimum, for lifetimes
// computed at run time that may come out short.
func (s *Store) PutAtLeast(key, value string, ttl time.Duration) error {
	if ttl < MinTTL {
		ttl = MinTTL
	}
	return s.ns.PutString(key, value, &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())})
}

// PutJSON encodes v and writes it under key.
func (s *Store) PutJSON(key string, v any, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %q: %w", key, err)
	}
	return s.Put(key, string(b), ttl)
}

// Delete removes key.
func (s *Store) Delete(key string) error {
	if err := s.ns.Delete(key); err != nil {
		return fmt.Errorf("%s delete %q: %w", s.binding, key, err)
	}
	return nil
}

// Update applies fn to the current value of key and stores what it returns.
// fn sees found=false for a missing key.
func (s *Store) Update(key string, ttl time.Duration, fn func(cur string, found bool) (string, error)) error {
	cur, found, err := s.Get(key)
	if err != nil {
		return err
	}
	next, err := fn(cur, found)
	if err != nil {
		return err
	}
	if found && next == cur {
		return nil
	}
	return s.Put(key, next, ttl) // EXPECT kvrace
}

// Page returns one page of key names under prefix and the cursor for the
// next page, which is empty once the listing is complete.
func (s *Store) Page(prefix, cursor string, limit int) ([]string, string, error) {
	res, err := s.ns.List(&kv.ListOptions{Prefix: prefix, Cursor: cursor, Limit: limit})
	if err != nil {
		return nil, "", fmt.Errorf("%s list %q: %w", s.binding, prefix, err)
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
