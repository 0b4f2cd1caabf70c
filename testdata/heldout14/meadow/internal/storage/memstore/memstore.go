// Package memstore is an in-memory storage.Full for tests and local runs.
package memstore

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"example.com/meadow/internal/storage"
)

type entry struct {
	value    []byte
	expires  time.Time
	metadata map[string]any
}

// Store is safe for concurrent use.
type Store struct {
	mu   sync.Mutex
	data map[string]entry
	now  func() time.Time
}

// New returns an empty store.
func New() *Store { return &Store{data: make(map[string]entry), now: time.Now} }

// WithClock replaces the store's clock.
func (s *Store) WithClock(now func() time.Time) *Store { s.now = now; return s }

func (s *Store) live(k string) (entry, bool) {
	e, ok := s.data[k]
	if ok && !e.expires.IsZero() && !s.now().Before(e.expires) {
		delete(s.data, k)
		return entry{}, false
	}
	return e, ok
}

func (s *Store) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.live(key); ok {
		return append([]byte(nil), e.value...), nil
	}
	return nil, storage.ErrNotFound
}

func (s *Store) Put(_ context.Context, key string, value []byte, opts storage.PutOptions) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := entry{value: append([]byte(nil), value...), metadata: opts.Metadata, expires: opts.ExpireAt}
	if opts.TTL > 0 {
		e.expires = s.now().Add(opts.TTL)
	}
	s.data[key] = e
	return nil
}

func (s *Store) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.data, key)
	return nil
}

// List pages through sorted keys; cursors are offsets.
func (s *Store) List(_ context.Context, q storage.ListQuery) (storage.Page, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for k := range s.data {
		if _, ok := s.live(k); ok && strings.HasPrefix(k, q.Prefix) {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	start, _ := strconv.Atoi(q.Cursor)
	limit := q.Limit
	if limit <= 0 {
		limit = 1000
	}
	var page storage.Page
	for i := start; i < len(names) && len(page.Keys) < limit; i++ {
		e := s.data[names[i]]
		ki := storage.KeyInfo{Name: names[i], Metadata: e.metadata}
		if !e.expires.IsZero() {
			ki.Expiration = e.expires.Unix()
		}
		page.Keys = append(page.Keys, ki)
	}
	if next := start + len(page.Keys); next < len(names) {
		page.Cursor = strconv.Itoa(next)
	}
	return page, nil
}

// Len returns the number of live keys.
func (s *Store) Len() int {
	p, _ := s.List(context.Background(), storage.ListQuery{Limit: 1 << 30})
	return len(p.Keys)
}
