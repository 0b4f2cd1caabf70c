//go:build js && wasm

// Package kvstore adapts a Workers KV binding to the shapes the game code
// uses: durations instead of seconds, explicit misses, bounded scans.
package kvstore

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// missing is how syscall/js renders the null that KV returns for an absent key.
const missing = "<null>"

// ErrNotFound is returned by GetJSON when the key does not exist.
var ErrNotFound = errors.New("kvstore: not found")

// Store wraps one KV namespace.
type Store struct {
	ns   *kv.Namespace
	name string
}

// Open binds the namespace called binding.
func Open(binding string) (*Store, error) {
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		return nil, fmt.Errorf("kvstore: bind %s: %w", binding, err)
	}
	return &Store{ns: ns, name: binding}, nil
}

// Namespace exposes the underlying binding for callers that need the raw API.
func (s *Store) Namespace() *kv.Namespace { return s.ns }

// Get returns the value of key and whether it exists.
func (s *Store) Get(key string) (string, bool, error) {
	v, err := s.ns.GetString(key, nil)
	if err != nil {
		return "", false, err
	}
	if v == missing {
		return "", false, nil
	}
	return v, true, nil
}

// GetJSON decodes the value of key into out.
func (s *Store) GetJSON(key string, out any) error {
	v, ok, err := s.Get(key)
	if err != nil {
		return err
	}
	if !ok {
		return ErrNotFound
	}
	return json.Unmarshal([]byte(v), out)
}

// PutFor writes value under key for ttl.
func (s *Store) PutFor(key, value string, ttl time.Duration) error {
	return s.ns.PutString(key, value, &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())})
}

// PutCached writes a cache entry. KV keeps entries for at least a minute, so
// shorter TTLs are rounded up.
func (s *Store) PutCached(key, value string, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return s.ns.PutString(key, value, &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())})
}

// PutJSON encodes v and writes it under key for ttl.
func (s *Store) PutJSON(key string, v any, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.PutFor(key, string(b), ttl)
}

// Delete removes key.
func (s *Store) Delete(key string) error {
	return s.ns.Delete(key)
}

// Mutate loads the JSON record under key, applies fn and stores the result.
// A missing record starts from the zero value.
func Mutate[T any](s *Store, key string, ttl time.Duration, fn func(*T) error) error {
	var cur T
	if err := s.GetJSON(key, &cur); err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	if err := fn(&cur); err != nil {
		return err
	}
	b, err := json.Marshal(cur)
	if err != nil {
		return err
	}
	return s.ns.PutString(key, string(b), &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())}) // EXPECT kvrace
}

// Scan calls fn for every key under prefix, reading at most maxPages pages.
// It reports whether the listing was exhausted.
func (s *Store) Scan(prefix string, maxPages int, fn func(*kv.ListKey) error) (bool, error) {
	opts := &kv.ListOptions{Prefix: prefix, Limit: 1000}
	for page := 0; page < maxPages; page++ {
		res, err := s.ns.List(opts)
		if err != nil {
			return false, err
		}
		for _, k := range res.Keys {
			if err := fn(k); err != nil {
				return false, err
			}
		}
		if res.ListComplete {
			return true, nil
		}
		opts = &kv.ListOptions{Prefix: prefix, Limit: 1000, Cursor: res.Cursor}
	}
	return false, nil
}

// Page returns one page of keys under prefix and the cursor for the next.
func (s *Store) Page(prefix, cursor string, limit int) ([]string, string, error) {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	res, err := s.ns.List(&kv.ListOptions{Prefix: prefix, Cursor: cursor, Limit: limit})
	if err != nil {
		return nil, "", err
	}
	names := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		names = append(names, k.Name)
	}
	next := res.Cursor
	if res.ListComplete {
		next = ""
	}
	return names, next, nil
}
