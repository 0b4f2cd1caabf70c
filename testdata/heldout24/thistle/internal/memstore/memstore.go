// Package memstore is an in-process implementation of store.Store used for
// local development and by the test suites of the domain packages.
package memstore

import (
	"context"
	"sort"
	"strings"
	"sync"
	"time"

	"example.com/thistle/internal/clock"
	"example.com/thistle/internal/store"
)

type item struct {
	value   []byte
	expires time.Time
}

// Store keeps values in a map guarded by a mutex.
type Store struct {
	mu     sync.RWMutex
	items  map[string]item
	clock  clock.Clock
	prefix string
	root   *Store
	writes int
}

// Option configures a Store.
type Option func(*Store)

// WithClock sets the time source used for expiry.
func WithClock(c clock.Clock) Option { return func(s *Store) { s.clock = c } }

// New returns an empty store.
func New(opts ...Option) *Store {
	s := &Store{items: map[string]item{}, clock: clock.System{}}
	for _, o := range opts {
		o(s)
	}
	s.root = s
	return s
}

// Get implements store.Getter.
func (s *Store) Get(_ context.Context, key string) ([]byte, error) {
	r := s.root
	r.mu.RLock()
	defer r.mu.RUnlock()
	it, ok := r.items[s.prefix+key]
	if !ok || r.expired(it) {
		return nil, store.ErrNotFound
	}
	return append([]byte(nil), it.value...), nil
}

// Put implements store.Putter.
func (s *Store) Put(_ context.Context, key string, value []byte, opts store.PutOptions) error {
	r := s.root
	r.mu.Lock()
	defer r.mu.Unlock()
	it := item{value: append([]byte(nil), value...)}
	switch {
	case opts.TTL > 0:
		it.expires = r.clock.Now().Add(opts.TTL)
	case !opts.ExpireAt.IsZero():
		it.expires = opts.ExpireAt
	}
	r.items[s.prefix+key] = it
	r.writes++
	return nil
}

// Delete implements store.Deleter.
func (s *Store) Delete(_ context.Context, key string) error {
	r := s.root
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.items, s.prefix+key)
	return nil
}

// List implements store.Lister with lexicographic order and an opaque
// cursor equal to the last key returned.
func (s *Store) List(_ context.Context, q store.ListQuery) (store.Page, error) {
	r := s.root
	r.mu.RLock()
	defer r.mu.RUnlock()
	full := s.prefix + q.Prefix
	var names []string
	for k, it := range r.items {
		if strings.HasPrefix(k, full) && !r.expired(it) && k > s.prefix+q.Cursor {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	limit := q.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	var page store.Page
	for i, k := range names {
		if i == limit {
			page.Cursor = page.Entries[i-1].Key
			return page, nil
		}
		page.Entries = append(page.Entries, store.Entry{Key: strings.TrimPrefix(k, s.prefix), Expiration: r.items[k].expires})
	}
	page.Complete = true
	return page, nil
}

// ForTenant implements store.Scoper.
func (s *Store) ForTenant(id string) store.Store {
	return &Store{root: s.root, prefix: s.prefix + "t/" + id + "/"}
}

// Writes reports how many puts the store has seen.
func (s *Store) Writes() int {
	s.root.mu.RLock()
	defer s.root.mu.RUnlock()
	return s.root.writes
}

func (s *Store) expired(it item) bool {
	return !it.expires.IsZero() && !s.clock.Now().Before(it.expires)
}
