// Package kvstore is a thin layer over a Workers KV namespace that hides the
// syscall/js rendering of missing keys and speaks time.Duration for TTLs.
package kvstore

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// ErrNotFound is returned when the key does not exist (or has expired).
var ErrNotFound = errors.New("kvstore: key not found")

// jsNull is what GetString yields for a JS null, i.e. a missing key.
const jsNull = "<null>"

type Store struct {
	ns   *kv.Namespace
	name string
}

// Open binds a Store to the KV namespace bound as binding. It must be called
// while handling a request or a scheduled event.
func Open(binding string) (*Store, error) {
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		return nil, fmt.Errorf("kvstore: open %s: %w", binding, err)
	}
	return &Store{ns: ns, name: binding}, nil
}

// Namespace exposes the underlying namespace for callers that need List.
func (s *Store) Namespace() *kv.Namespace { return s.ns }

func (s *Store) Get(key string) (string, error) {
	v, err := s.ns.GetString(key, nil)
	if err != nil {
		return "", fmt.Errorf("kvstore: get %s/%s: %w", s.name, key, err)
	}
	if v == jsNull {
		return "", ErrNotFound
	}
	return v, nil
}

// GetCached reads key and lets the edge keep it for cacheFor.
func (s *Store) GetCached(key string, cacheFor time.Duration) (string, error) {
	v, err := s.ns.GetString(key, &kv.GetOptions{CacheTTL: int(cacheFor.Seconds())})
	if err != nil {
		return "", fmt.Errorf("kvstore: get %s/%s: %w", s.name, key, err)
	}
	if v == jsNull {
		return "", ErrNotFound
	}
	return v, nil
}

func (s *Store) GetJSON(key string, dst any) error {
	v, err := s.Get(key)
	if err != nil {
		return err
	}
	return json.Unmarshal([]byte(v), dst)
}

// Put writes value; a zero ttl keeps it forever.
func (s *Store) Put(key, value string, ttl time.Duration) error {
	var opts *kv.PutOptions
	if ttl > 0 {
		opts = &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())}
	}
	if err := s.ns.PutString(key, value, opts); err != nil {
		return fmt.Errorf("kvstore: put %s/%s: %w", s.name, key, err)
	}
	return nil
}

func (s *Store) PutJSON(key string, v any, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.Put(key, string(b), ttl)
}

// CacheFor is Put for cache entries: KV will not keep anything for less than
// a minute, so shorter TTLs are rounded up.
func (s *Store) CacheFor(key, value string, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return s.ns.PutString(key, value, &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())})
}

// PutUntil writes value so that it expires at the given instant.
func (s *Store) PutUntil(key, value string, at time.Time) error {
	opts := new(kv.PutOptions)
	opts.Expiration = int(at.Unix())
	return s.ns.PutString(key, value, opts)
}

func (s *Store) Delete(key string) error {
	return s.ns.Delete(key)
}
