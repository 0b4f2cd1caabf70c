// Package memstore is an in-memory implementation of the storage port. The
// edge worker uses it for isolate-local scratch data and tests use it as a
// fake.
package memstore

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"example.com/grebe/internal/store"
)

type entry struct {
	value   []byte
	expires time.Time
	meta    map[string]any
}

// Store is a mutex-guarded map with expiry.
type Store struct {
	mu   sync.Mutex
	data map[string]entry
	now  func() time.Time
}

var _ store.Store = (*Store)(nil)

// New returns an empty Store.
func New() *Store {
	return &Store{data: make(map[string]entry), now: time.Now}
}

func (s *Store) live(k string) (entry, bool) {
	e, ok := s.data[k]
	if !ok {
		return entry{}, false
	}
	if !e.expires.IsZero() && !s.now().Before(e.expires) {
		delete(s.data, k)
		return entry{}, false
	}
	return e, true
}

func (s *Store) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.live(key)
	if !ok {
		return nil, store.ErrNotFound
	}
	return slices.Clone(e.value), nil
}

func (s *Store) Put(_ context.Context, key string, value []byte, o store.PutOptions) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := entry{value: slices.Clone(value), meta: maps.Clone(o.Meta)}
	switch {
	case o.TTL > 0:
		e.expires = s.now().Add(o.TTL)
	case !o.ExpireAt.IsZero():
		e.expires = o.ExpireAt
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

// List pages through keys in lexical order. The cursor is the index of the
// next key.
func (s *Store) List(_ context.Context, o store.ListOptions) (store.Page, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for k := range s.data {
		if _, ok := s.live(k); ok && strings.HasPrefix(k, o.Prefix) {
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
	var p store.Page
	for _, n := range names[min(start, end):end] {
		e := s.data[n]
		p.Keys = append(p.Keys, store.KeyInfo{Name: n, Expiration: e.expires, Meta: e.meta})
	}
	if end >= len(names) {
		p.Complete = true
	} else {
		p.Cursor = strconv.Itoa(end)
	}
	return p, nil
}
