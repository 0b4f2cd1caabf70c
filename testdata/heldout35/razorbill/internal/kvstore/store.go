//go:build js && wasm

// Package kvstore adapts a Workers KV binding to the shapes the Worker uses:
// string values with a miss flag, TTLs as time.Duration, typed caches and
// tallies.
package kvstore

import (
	"fmt"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/kv"
)

// missing is how syscall/js renders the null that KV returns for an absent key.
const missing = "<null>"

// Store wraps one KV namespace binding.
type Store struct {
	ns   *kv.Namespace
	name string
}

// Open binds the namespace named binding in wrangler.toml.
func Open(binding string) (*Store, error) {
	ns, err := cloudflare.NewKVNamespace(binding)
	if err != nil {
		return nil, fmt.Errorf("kvstore: bind %s: %w", binding, err)
	}
	return &Store{ns: ns, name: binding}, nil
}

// NS exposes the underlying namespace for calls the adapter does not cover.
func (s *Store) NS() *kv.Namespace { return s.ns }

// Get returns the value under key; ok is false when the key does not exist.
func (s *Store) Get(key string) (value string, ok bool, err error) {
	v, err := s.ns.GetString(key, nil)
	if err != nil {
		return "", false, fmt.Errorf("kvstore: get %s/%s: %w", s.name, key, err)
	}
	if v == missing {
		return "", false, nil
	}
	return v, true, nil
}

// GetCached is Get with an edge cache lifetime for hot, rarely changing keys.
func (s *Store) GetCached(key string, cacheTTL time.Duration) (string, bool, error) {
	v, err := s.ns.GetString(key, &kv.GetOptions{CacheTTL: int(cacheTTL.Seconds())})
	if err != nil {
		return "", false, fmt.Errorf("kvstore: get %s/%s: %w", s.name, key, err)
	}
	if v == missing {
		return "", false, nil
	}
	return v, true, nil
}

// Put stores value under key. A positive ttl shorter than a minute is raised
// to a minute; zero means no expiry.
func (s *Store) Put(key, value string, ttl time.Duration) error {
	var opts *kv.PutOptions
	if ttl > 0 {
		if ttl < time.Minute {
			ttl = time.Minute
		}
		opts = &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())}
	}
	if err := s.ns.PutString(key, value, opts); err != nil {
		return fmt.Errorf("kvstore: put %s/%s: %w", s.name, key, err)
	}
	return nil
}

// PutSeconds stores value under key with an expirationTtl in seconds; zero
// means no expiry.
func (s *Store) PutSeconds(key, value string, ttlSeconds int) error {
	var opts *kv.PutOptions
	if ttlSeconds != 0 {
		opts = &kv.PutOptions{ExpirationTTL: ttlSeconds}
	}
	if err := s.ns.PutString(key, value, opts); err != nil {
		return fmt.Errorf("kvstore: put %s/%s: %w", s.name, key, err)
	}
	return nil
}

// PutUntil stores value under key until the absolute time at.
func (s *Store) PutUntil(key, value string, at time.Time) error {
	return s.ns.PutString(key, value, &kv.PutOptions{Expiration: int(at.Unix())})
}

// Delete removes key.
func (s *Store) Delete(key string) error {
	if err := s.ns.Delete(key); err != nil {
		return fmt.Errorf("kvstore: delete %s/%s: %w", s.name, key, err)
	}
	return nil
}

// Update reads key, passes the current value to fn and stores what fn returns.
func (s *Store) Update(key string, ttl time.Duration, fn func(old string, ok bool) (string, error)) error {
	old, ok, err := s.Get(key)
	if err != nil {
		return err
	}
	next, err := fn(old, ok)
	if err != nil {
		return err
	}
	return s.Put(key, next, ttl) // EXPECT kvrace
}
