//go:build js && wasm

// Package edgekv adapts the Worker's KV binding to the shapes the locker
// domain packages use.
package edgekv

import (
	"context"
	"fmt"
	"time"

	"github.com/syumai/workers/cloudflare"
)

// Null is how the binding renders a missing value through GetString.
const Null = "<null>"

// Store is one bound KV namespace.
type Store struct {
	ns   *cloudflare.KVNamespace
	name string
}

// Open binds the namespace configured under binding in wrangler.toml.
func Open(ctx context.Context, binding string) (*Store, error) {
	ns, err := cloudflare.NewKVNamespace(ctx, binding)
	if err != nil {
		return nil, fmt.Errorf("edgekv: bind %s: %w", binding, err)
	}
	return &Store{ns: ns, name: binding}, nil
}

// NS exposes the underlying binding for callers that need list or options.
func (s *Store) NS() *cloudflare.KVNamespace { return s.ns }

// Lookup returns the value under key and whether it exists.
func (s *Store) Lookup(key string) (string, bool, error) {
	v, err := s.ns.GetString(key, nil)
	if err != nil {
		return "", false, fmt.Errorf("edgekv: get %s/%s: %w", s.name, key, err)
	}
	if v == Null {
		return "", false, nil
	}
	return v, true, nil
}

// LookupCached is Lookup with an edge cache lifetime.
func (s *Store) LookupCached(key string, cache time.Duration) (string, bool, error) {
	v, err := s.ns.GetString(key, &cloudflare.KVNamespaceGetOptions{CacheTTL: int(cache.Seconds())})
	if err != nil {
		return "", false, err
	}
	return v, v != Null, nil
}

// PutFor stores value under key for ttl.
func (s *Store) PutFor(key, value string, ttl time.Duration) error {
	return s.ns.PutString(key, value, &cloudflare.KVNamespacePutOptions{ExpirationTTL: int(ttl.Seconds())})
}

// PutAtLeast stores value under key for ttl, lifted to one minute if shorter.
func (s *Store) PutAtLeast(key, value string, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return s.PutFor(key, value, ttl)
}

// PutUntil stores value under key until at.
func (s *Store) PutUntil(key, value string, at time.Time) error {
	return s.ns.PutString(key, value, &cloudflare.KVNamespacePutOptions{Expiration: int(at.Unix())})
}

// Mark writes a presence marker under key for ttl.
func (s *Store) Mark(key string, ttl time.Duration) error {
	return s.PutAtLeast(key, "1", ttl)
}

// Put stores value with no expiry.
func (s *Store) Put(key, value string) error {
	return s.ns.PutString(key, value, nil)
}

// Forget removes key.
func (s *Store) Forget(key string) error {
	return s.ns.Delete(key)
}

// Page fetches one page of keys under prefix.
func (s *Store) Page(prefix, cursor string, limit int) (*cloudflare.KVNamespaceListResult, error) {
	return s.ns.List(&cloudflare.KVNamespaceListOptions{Prefix: prefix, Cursor: cursor, Limit: limit})
}
