// Package memstore is an in-memory storage.Store used by tests and local runs.
package memstore

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"example.com/tollgate/internal/storage"
)

func init() {
	storage.Register("mem", func(storage.DriverConfig) (storage.Store, error) { return New(), nil })
}

type item struct {
	value    []byte
	expires  time.Time
	metadata map[string]any
}

// Store keeps everything in a map guarded by a mutex.
type Store struct {
	mu    sync.RWMutex
	items map[string]item
	now   func() time.Time
}

// New returns an empty store.
func New() *Store {
	return &Store{items: map[string]item{}, now: time.Now}
}

func (s *Store) live(it item) bool {
	return it.expires.IsZero() || s.now().Before(it.expires)
}

func (s *Store) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	it, ok := s.items[key]
	if !ok || !s.live(it) {
		return nil, storage.ErrNotFound
	}
	return slices.Clone(it.value), nil
}

func (s *Store) Put(_ context.Context, key string, value []byte, opts storage.PutOptions) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	it := item{value: slices.Clone(value), metadata: maps.Clone(opts.Metadata)}
	switch {
	case opts.ExpirationTTL > 0:
		it.expires = s.now().Add(time.Duration(opts.ExpirationTTL) * time.Second)
	case opts.Expiration > 0:
		it.expires = time.Unix(opts.Expiration, 0)
	}
	s.items[key] = it
	return nil
}

func (s *Store) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.items, key)
	return nil
}

// List pages through keys in lexical order. The cursor is the offset.
func (s *Store) List(_ context.Context, o storage.ListOptions) (storage.Page, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	names := make([]string, 0, len(s.items))
	for k, it := range s.items {
		if strings.HasPrefix(k, o.Prefix) && s.live(it) {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	start, _ := strconv.Atoi(o.Cursor)
	limit := o.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	end := min(start+limit, len(names))
	page := storage.Page{Complete: end >= len(names)}
	for _, n := range names[min(start, end):end] {
		it := s.items[n]
		var exp int64
		if !it.expires.IsZero() {
			exp = it.expires.Unix()
		}
		page.Keys = append(page.Keys, storage.KeyInfo{Name: n, Expiration: exp, Metadata: maps.Clone(it.metadata)})
	}
	if !page.Complete {
		page.Cursor = strconv.Itoa(end)
	}
	return page, nil
}
