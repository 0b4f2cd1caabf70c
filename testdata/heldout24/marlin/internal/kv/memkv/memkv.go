// Package memkv is an in-memory kv.Store for tests and local development.
package memkv

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"example.com/marlin/internal/clock"
	"example.com/marlin/internal/kv"
)

type entry struct {
	value    []byte
	expires  time.Time
	metadata any
}

// Store keeps values in a map guarded by a mutex.
type Store struct {
	mu    sync.RWMutex
	data  map[string]entry
	clock clock.Clock
}

// New returns an empty store using c for expiry.
func New(c clock.Clock) *Store {
	if c == nil {
		c = clock.System{}
	}
	return &Store{data: map[string]entry{}, clock: c}
}

// ForTenant returns a tenant-scoped view.
func (s *Store) ForTenant(id string) kv.Store { return kv.NewPrefixed(s, "t/"+id+"/") }

func (s *Store) live(e entry) bool {
	return e.expires.IsZero() || s.clock.Now().Before(e.expires)
}

// Get implements kv.Getter.
func (s *Store) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	e, ok := s.data[key]
	if !ok || !s.live(e) {
		return nil, kv.ErrNotFound
	}
	return slices.Clone(e.value), nil
}

// Put implements kv.Putter.
func (s *Store) Put(_ context.Context, key string, value []byte, opts kv.PutOptions) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := entry{value: slices.Clone(value), metadata: opts.Metadata}
	switch {
	case opts.TTL > 0:
		e.expires = s.clock.Now().Add(opts.TTL)
	case !opts.ExpiresAt.IsZero():
		e.expires = opts.ExpiresAt
	}
	s.data[key] = e
	return nil
}

// Delete implements kv.Deleter.
func (s *Store) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	delete(s.data, key)
	s.mu.Unlock()
	return nil
}

// List implements kv.Lister with an integer cursor.
func (s *Store) List(_ context.Context, req kv.ListRequest) (kv.ListPage, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var names []string
	for k, e := range s.data {
		if strings.HasPrefix(k, req.Prefix) && s.live(e) {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	start, _ := strconv.Atoi(req.Cursor)
	limit := req.Limit
	if limit <= 0 || limit > kv.MaxListLimit {
		limit = kv.MaxListLimit
	}
	end := min(start+limit, len(names))
	page := kv.ListPage{Complete: end >= len(names)}
	for _, n := range names[min(start, len(names)):end] {
		e := s.data[n]
		page.Keys = append(page.Keys, kv.KeyInfo{Name: n, Expiration: e.expires, Metadata: e.metadata})
	}
	if !page.Complete {
		page.Cursor = strconv.Itoa(end)
	}
	return page, nil
}
