// Package memstore is an in-memory store.Store for tests and local runs.
package memstore

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"example.com/relay/internal/store"
)

type entry struct {
	value    []byte
	expireAt time.Time
	meta     map[string]any
}

// Store is a goroutine-safe map with KV-like expiry and listing.
type Store struct {
	mu   sync.Mutex
	data map[string]entry
	Puts int
}

var _ store.Store = (*Store)(nil)

// New returns an empty store.
func New() *Store { return &Store{data: map[string]entry{}} }

func (e entry) live() bool { return e.expireAt.IsZero() || time.Now().Before(e.expireAt) }

func (s *Store) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.data[key]
	if !ok || !e.live() {
		return nil, store.ErrNotFound
	}
	return append([]byte(nil), e.value...), nil
}

func (s *Store) Put(_ context.Context, key string, value []byte, opts ...store.PutOption) error {
	o := store.Resolve(store.PutOptions{}, opts...)
	e := entry{value: append([]byte(nil), value...), meta: o.Metadata}
	if o.TTL > 0 {
		e.expireAt = time.Now().Add(o.TTL)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.data[key] = e
	s.Puts++
	return nil
}

func (s *Store) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.data, key)
	return nil
}

// List pages through keys in order; the cursor is the offset of the next key.
func (s *Store) List(_ context.Context, prefix, cursor string, limit int) (store.Page, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	var names []string
	for k, e := range s.data {
		if strings.HasPrefix(k, prefix) && e.live() {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	start, _ := strconv.Atoi(cursor)
	var page store.Page
	for i := start; i < len(names) && len(page.Keys) < limit; i++ {
		page.Keys = append(page.Keys, store.KeyInfo{Name: names[i], Metadata: s.data[names[i]].meta})
	}
	if end := start + len(page.Keys); end < len(names) {
		page.Cursor = strconv.Itoa(end)
	}
	return page, nil
}
