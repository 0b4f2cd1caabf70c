//go:build js && wasm

// Package edgekv adapts the Workers KV binding to the shapes the edge code
// uses: keys as fmt.Stringer, lifetimes as time.Duration, and a unit of work
// that stages writes until the end of a request.
package edgekv

import (
	"fmt"
	"strings"
	"time"

	"github.com/podloft/fennel/internal/codec"
	"github.com/syumai/workers/cloudflare/kv"
)

// nullText is how syscall/js renders a JavaScript null as a Go string.
const nullText = "<null>"

// minTTL is the shortest expiration KV accepts.
const minTTL = time.Minute

// Store wraps one KV binding.
type Store struct {
	ns      *kv.Namespace
	binding string
}

// Open binds to the namespace declared in wrangler.toml under binding.
func Open(binding string) (*Store, error) {
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		return nil, fmt.Errorf("edgekv: bind %s: %w", binding, err)
	}
	return &Store{ns: ns, binding: binding}, nil
}

// Namespace exposes the raw binding for the few places that need List or
// streaming reads.
func (s *Store) Namespace() *kv.Namespace { return s.ns }

// Lookup returns the value under key and whether it exists.
func (s *Store) Lookup(key fmt.Stringer) (string, bool, error) {
	v, err := s.ns.GetString(key.String(), nil)
	if err != nil {
		return "", false, fmt.Errorf("edgekv: get %s: %w", key, err)
	}
	if v == nullText {
		return "", false, nil
	}
	return v, true, nil
}

// Put writes v under key. A positive ttl is raised to KV's one-minute floor.
func (s *Store) Put(key fmt.Stringer, v string, ttl time.Duration) error {
	var opts *kv.PutOptions
	if ttl > 0 {
		if ttl < minTTL {
			ttl = minTTL
		}
		opts = &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())}
	}
	if err := s.ns.PutString(key.String(), v, opts); err != nil {
		return fmt.Errorf("edgekv: put %s: %w", key, err)
	}
	return nil
}

// PutUntil writes v under key so that it expires at the absolute time at.
func (s *Store) PutUntil(key fmt.Stringer, v string, at time.Time) error {
	return s.ns.PutString(key.String(), v, &kv.PutOptions{Expiration: int(at.Unix())})
}

// Delete removes key.
func (s *Store) Delete(key fmt.Stringer) error {
	if err := s.ns.Delete(key.String()); err != nil {
		return fmt.Errorf("edgekv: delete %s: %w", key, err)
	}
	return nil
}

// Update applies fn to the current value of key and stores the result. fn
// receives "" when the key does not exist.
func (s *Store) Update(key fmt.Stringer, ttl time.Duration, fn func(old string) (string, error)) error {
	old, ok, err := s.Lookup(key)
	if err != nil {
		return err
	}
	if !ok {
		old = ""
	}
	next, err := fn(old)
	if err != nil {
		return err
	}
	return s.ns.PutString(key.String(), next, s.ttlOpts(ttl)) // EXPECT kvrace
}

func (s *Store) ttlOpts(ttl time.Duration) *kv.PutOptions {
	if ttl <= 0 {
		return nil
	}
	return &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())}
}

// Load reads and gob-decodes the value stored under a string-typed key.
func Load[K ~string, V any](s *Store, key K) (V, bool, error) {
	var zero V
	raw, err := s.ns.GetString(string(key), nil)
	if err != nil {
		return zero, false, err
	}
	if raw == nullText {
		return zero, false, nil
	}
	var v V
	if err := codec.Ungob(raw, &v); err != nil {
		return zero, false, fmt.Errorf("edgekv: decode %s: %w", key, err)
	}
	return v, true, nil
}

// Save gob-encodes v under a string-typed key.
func Save[K ~string, V any](s *Store, key K, v V, ttl time.Duration) error {
	raw, err := codec.Gob(v)
	if err != nil {
		return err
	}
	return s.Put(stringKey(key), raw, ttl)
}

type stringKey string

func (k stringKey) String() string { return string(k) }

// Join builds a key from parts separated by ':'.
func Join(parts ...string) fmt.Stringer { return stringKey(strings.Join(parts, ":")) }
