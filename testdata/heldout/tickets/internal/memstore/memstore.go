// Package memstore is an in-memory domain.FullStore used by tests and by
// `wrangler dev`-free local runs of the services.
package memstore

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"example.com/tickets/internal/domain"
)

type item struct {
	val     []byte
	expires time.Time
}

type Store struct {
	mu    sync.Mutex
	items map[string]item
	now   func() time.Time

	// Writes counts Set/SetExpireAt calls so tests can assert on write volume.
	Writes int
}

var _ domain.FullStore = (*Store)(nil)

func New() *Store {
	return &Store{items: make(map[string]item), now: time.Now}
}

// NewWithClock returns a store whose expiry follows now.
func NewWithClock(now func() time.Time) *Store {
	s := New()
	s.now = now
	return s
}

func (s *Store) live(key string) (item, bool) {
	it, ok := s.items[key]
	if !ok {
		return item{}, false
	}
	if !it.expires.IsZero() && !s.now().Before(it.expires) {
		delete(s.items, key)
		return item{}, false
	}
	return it, true
}

func (s *Store) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	it, ok := s.live(key)
	if !ok {
		return nil, domain.ErrNotFound
	}
	return slices.Clone(it.val), nil
}

func (s *Store) GetCached(ctx context.Context, key string, _ time.Duration) ([]byte, error) {
	return s.Get(ctx, key)
}

func (s *Store) Set(_ context.Context, key string, val []byte, ttl time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	it := item{val: slices.Clone(val)}
	if ttl > 0 {
		it.expires = s.now().Add(ttl)
	}
	s.items[key] = it
	s.Writes++
	return nil
}

func (s *Store) SetExpireAt(_ context.Context, key string, val []byte, unixSeconds int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.items[key] = item{val: slices.Clone(val), expires: time.Unix(unixSeconds, 0)}
	s.Writes++
	return nil
}

func (s *Store) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.items, key)
	return nil
}

func (s *Store) Keys(_ context.Context, prefix string) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for k := range s.items {
		if _, ok := s.live(k); ok && strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out, nil
}
