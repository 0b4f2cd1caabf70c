// Package kvstore is a thin convenience layer over a Workers KV namespace.
package kvstore

import (
	"fmt"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// Store wraps one KV namespace binding.
type Store struct {
	ns      *kv.Namespace
	binding string
}

// Open binds the named KV namespace.
func Open(binding string) (*Store, error) {
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		return nil, fmt.Errorf("kvstore: open %s: %w", binding, err)
	}
	return &Store{ns: ns, binding: binding}, nil
}

// MustOpen is Open for use during start-up.
func MustOpen(binding string) *Store {
	s, err := Open(binding)
	if err != nil {
		panic(err)
	}
	return s
}

// Namespace exposes the underlying binding for callers that need the raw API.
func (s *Store) Namespace() *kv.Namespace { return s.ns }

// Missing reports whether a GetString result stands for an absent key.
// The JS null comes back through syscall/js as "<null>".
func Missing(v string) bool { return v == "" || v == "<null>" }

// Get returns the value stored at key and whether it exists.
func (s *Store) Get(key string) (string, bool, error) {
	v, err := s.ns.GetString(key, nil)
	if err != nil {
		return "", false, fmt.Errorf("kvstore: get %q: %w", key, err)
	}
	if Missing(v) {
		return "", false, nil
	}
	return v, true, nil
}

// GetCached is Get with an edge cache lifetime for rarely changing values.
func (s *Store) GetCached(key string, edge time.Duration) (string, bool, error) {
	v, err := s.ns.GetString(key, &kv.GetOptions{CacheTTL: int(edge.Seconds())})
	if err != nil {
		return "", false, fmt.Errorf("kvstore: get %q: %w", key, err)
	}
	if Missing(v) {
		return "", false, nil
	}
	return v, true, nil
}

// Put stores value at key with no expiry.
func (s *Store) Put(key, value string) error {
	return s.ns.PutString(key, value, nil)
}

// PutFor stores value at key for ttl.
func (s *Store) PutFor(key, value string, ttl time.Duration) error {
	return s.ns.PutString(key, value, &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())})
}

// PutSeconds stores value at key for secs seconds.
func (s *Store) PutSeconds(key, value string, secs int) error {
	opts := &kv.PutOptions{}
	opts.ExpirationTTL = secs
	return s.ns.PutString(key, value, opts)
}

// PutUntil stores value at key until the given instant.
func (s *Store) PutUntil(key, value string, at time.Time) error {
	return s.ns.PutString(key, value, &kv.PutOptions{Expiration: int(at.Unix())})
}

// PutAtLeast stores value for ttl, rounded up to KV's one-minute floor.
func (s *Store) PutAtLeast(key, value string, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return s.PutFor(key, value, ttl)
}

// Delete removes key.
func (s *Store) Delete(key string) error {
	return s.ns.Delete(key)
}

// Add adds n to the integer stored at key and returns the new total. The key
// expires ttl after the last write.
func (s *Store) Add(key string, n int, ttl time.Duration) (int, error) {
	cur, ok, err := s.Get(key)
	if err != nil {
		return 0, err
	}
	total := n
	if ok {
		prev, err := strconv.Atoi(cur)
		if err != nil {
			return 0, fmt.Errorf("kvstore: %q is not a number: %w", key, err)
		}
		total += prev
	}
	if err := s.PutFor(key, strconv.Itoa(total), ttl); err != nil { // EXPECT kvcounter|kvrace
		return 0, err
	}
	return total, nil
}
