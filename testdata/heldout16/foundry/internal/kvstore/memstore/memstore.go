// Package memstore is an in-memory kvstore.Store for tests and local runs.
package memstore

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"example.com/foundry/internal/kvstore"
)

type entry struct {
	value    []byte
	expires  time.Time
	metadata map[string]any
}

// Store keeps values in a map guarded by a mutex. Puts counts writes per
// key so tests can assert on them.
type Store struct {
	mu   sync.Mutex
	data map[string]entry
	Now  func() time.Time
	Puts map[string]int
}

var _ kvstore.Store = (*Store)(nil)

// New returns an empty store.
func New() *Store { return &Store{data: map[string]entry{}, Puts: map[string]int{}, Now: time.Now} }

func (s *Store) live(k string) (entry, bool) {
	e, ok := s.data[k]
	return e, ok && (e.expires.IsZero() || s.Now().Before(e.expires))
}

func (s *Store) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.live(key); ok {
		return slices.Clone(e.value), nil
	}
	return nil, kvstore.ErrNotFound
}

func (s *Store) Put(_ context.Context, key string, value []byte, opts ...kvstore.PutOption) error {
	cfg := kvstore.Options(opts)
	e := entry{value: slices.Clone(value), expires: cfg.ExpireAt}
	if cfg.TTL > 0 {
		e.expires = s.Now().Add(cfg.TTL)
	}
	if cfg.Metadata != nil { // round-trip like the real API: numbers become float64
		b, _ := json.Marshal(cfg.Metadata)
		_ = json.Unmarshal(b, &e.metadata)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.data[key] = e
	s.Puts[key]++
	return nil
}

func (s *Store) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.data, key)
	return nil
}

func (s *Store) List(_ context.Context, q kvstore.ListQuery) (kvstore.Page, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for k := range s.data {
		if _, ok := s.live(k); ok && strings.HasPrefix(k, q.Prefix) {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	start, _ := strconv.Atoi(q.Cursor)
	limit := q.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	end := min(start+limit, len(names))
	page := kvstore.Page{Complete: end == len(names)}
	if !page.Complete {
		page.Cursor = strconv.Itoa(end)
	}
	for _, n := range names[min(start, end):end] {
		e := s.data[n]
		page.Keys = append(page.Keys, kvstore.KeyInfo{Name: n, Expiration: e.expires, Metadata: e.metadata})
	}
	return page, nil
}
