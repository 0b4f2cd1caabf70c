// Package memstore is an in-process implementation of the storage port for
// tests and local runs.
package memstore

import (
	"cmp"
	"context"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"example.com/saffron/internal/store"
)

var now = time.Now

type item struct {
	value   []byte
	expires time.Time
}

// Store is a map-backed store.Store with expiry and prefix listing.
type Store struct {
	mu    sync.Mutex
	items map[string]item
}

// New returns an empty store.
func New() *Store { return &Store{items: make(map[string]item)} }

var _ store.Store = (*Store)(nil)

// Get implements store.Reader.
func (s *Store) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	it, ok := s.items[key]
	if !ok || s.expired(it) {
		return nil, store.ErrNotFound
	}
	return append([]byte(nil), it.value...), nil
}

// Put implements store.Writer.
func (s *Store) Put(_ context.Context, key string, value []byte, ttl store.Seconds) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	it := item{value: append([]byte(nil), value...)}
	if ttl > 0 {
		it.expires = now().Add(ttl.Duration())
	}
	s.items[key] = it
	return nil
}

// Delete implements store.Writer.
func (s *Store) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.items, key)
	return nil
}

// List implements store.Lister. The cursor is the offset into the sorted
// key set encoded as a decimal string.
func (s *Store) List(_ context.Context, q store.Query) (store.Page, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	limit := cmp.Or(q.Limit, 1000)
	var names []string
	for k, it := range s.items {
		if strings.HasPrefix(k, q.Prefix) && !s.expired(it) {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	start := 0
	if q.Cursor != "" {
		n, err := strconv.Atoi(q.Cursor)
		if err != nil {
			return store.Page{}, err
		}
		start = min(n, len(names))
	}
	end := min(start+limit, len(names))
	page := store.Page{Complete: end == len(names)}
	for _, k := range names[start:end] {
		ki := store.KeyInfo{Name: k}
		if exp := s.items[k].expires; !exp.IsZero() {
			ki.Expiration = exp.Unix()
		}
		page.Keys = append(page.Keys, ki)
	}
	if !page.Complete {
		page.Cursor = strconv.Itoa(end)
	}
	return page, nil
}

func (s *Store) expired(it item) bool {
	return !it.expires.IsZero() && now().After(it.expires)
}
