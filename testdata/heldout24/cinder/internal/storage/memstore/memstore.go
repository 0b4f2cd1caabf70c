// Package memstore is an in-memory storage.Store for tests and local runs.
package memstore

import (
	"context"
	"sort"
	"strings"
	"sync"
	"time"

	"example.com/cinder/internal/clock"
	"example.com/cinder/internal/storage"
)

type entry struct {
	value     []byte
	expiresAt time.Time
}

// Store keeps everything in a map guarded by a mutex.
type Store struct {
	mu     sync.RWMutex
	data   map[string]entry
	clock  clock.Clock
	prefix string
	root   *Store
}

// New returns an empty store that reads time from c.
func New(c clock.Clock) *Store {
	if c == nil {
		c = clock.System
	}
	s := &Store{data: map[string]entry{}, clock: c}
	s.root = s
	return s
}

// ForTenant returns a view whose keys live under the tenant's prefix.
func (s *Store) ForTenant(id string) storage.Store {
	return &Store{clock: s.clock, prefix: s.prefix + "t/" + id + "/", root: s.root}
}

func (s *Store) live(e entry) bool {
	return e.expiresAt.IsZero() || s.clock.Now().Before(e.expiresAt)
}

// Get implements storage.Getter.
func (s *Store) Get(_ context.Context, key string) ([]byte, error) {
	r := s.root
	r.mu.RLock()
	defer r.mu.RUnlock()
	e, ok := r.data[s.prefix+key]
	if !ok || !s.live(e) {
		return nil, storage.ErrNotFound
	}
	return append([]byte(nil), e.value...), nil
}

// Put implements storage.Putter.
func (s *Store) Put(_ context.Context, key string, value []byte, opts ...storage.PutOption) error {
	o := storage.ApplyPut(opts)
	e := entry{value: append([]byte(nil), value...)}
	switch {
	case o.TTL > 0:
		e.expiresAt = s.clock.Now().Add(o.TTL)
	case !o.ExpireAt.IsZero():
		e.expiresAt = o.ExpireAt
	}
	r := s.root
	r.mu.Lock()
	r.data[s.prefix+key] = e
	r.mu.Unlock()
	return nil
}

// Delete implements storage.Deleter.
func (s *Store) Delete(_ context.Context, key string) error {
	r := s.root
	r.mu.Lock()
	delete(r.data, s.prefix+key)
	r.mu.Unlock()
	return nil
}

// List implements storage.Lister with lexicographic order and numeric cursors.
func (s *Store) List(_ context.Context, q storage.ListQuery) (storage.Page, error) {
	r := s.root
	r.mu.RLock()
	full := s.prefix + q.Prefix
	names := make([]string, 0, len(r.data))
	for k, e := range r.data {
		if strings.HasPrefix(k, full) && s.live(e) {
			names = append(names, k)
		}
	}
	r.mu.RUnlock()
	sort.Strings(names)

	start := 0
	if q.Cursor != "" {
		start = sort.SearchStrings(names, q.Cursor)
		if start < len(names) && names[start] == q.Cursor {
			start++
		}
	}
	limit := q.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	end := min(start+limit, len(names))
	page := storage.Page{Complete: end >= len(names)}
	for _, n := range names[start:end] {
		page.Keys = append(page.Keys, storage.KeyInfo{Name: strings.TrimPrefix(n, s.prefix)})
	}
	if !page.Complete && end > start {
		page.Cursor = names[end-1]
	}
	return page, nil
}
