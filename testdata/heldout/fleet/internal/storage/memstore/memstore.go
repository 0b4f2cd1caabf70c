// Package memstore is an in-process implementation of the storage ports. It is
// used by unit tests and by `fleet-api -dev`, which runs without Cloudflare
// credentials.
package memstore

import (
	"context"
	"sort"
	"strings"
	"sync"
	"time"

	"example.com/fleet/internal/storage"
)

type item struct {
	val     []byte
	expires time.Time
}

// Store is safe for concurrent use.
type Store struct {
	mu    sync.Mutex
	items map[string]item
	now   func() time.Time
}

var (
	_ storage.BatchStore = (*Store)(nil)
	_ storage.Expirer    = (*Store)(nil)
)

// New returns an empty store.
func New() *Store {
	return &Store{items: make(map[string]item), now: time.Now}
}

// WithClock replaces the clock, for tests that exercise expiry.
func (s *Store) WithClock(now func() time.Time) *Store {
	s.now = now
	return s
}

func (s *Store) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	it, ok := s.items[key]
	if !ok || (!it.expires.IsZero() && !s.now().Before(it.expires)) {
		delete(s.items, key)
		return nil, storage.ErrNotFound
	}
	return append([]byte(nil), it.val...), nil
}

func (s *Store) Set(_ context.Context, key string, val []byte, ttl time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	it := item{val: append([]byte(nil), val...)}
	if ttl > 0 {
		it.expires = s.now().Add(ttl)
	}
	s.items[key] = it
	return nil
}

func (s *Store) SetUntil(_ context.Context, key string, val []byte, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.items[key] = item{val: append([]byte(nil), val...), expires: at}
	return nil
}

func (s *Store) SetMany(ctx context.Context, entries []storage.Entry) error {
	for _, e := range entries {
		if e.TTL == 0 && !e.ExpiresAt.IsZero() {
			if err := s.SetUntil(ctx, e.Key, e.Value, e.ExpiresAt); err != nil {
				return err
			}
			continue
		}
		if err := s.Set(ctx, e.Key, e.Value, e.TTL); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.items, key)
	return nil
}

// Keys returns the live keys with the given prefix, sorted.
func (s *Store) Keys(prefix string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for k, it := range s.items {
		if !strings.HasPrefix(k, prefix) {
			continue
		}
		if !it.expires.IsZero() && !s.now().Before(it.expires) {
			continue
		}
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
