// Package memstore is an in-memory store.Store for tests and local runs.
package memstore

import (
	"context"
	"sort"
	"strings"
	"sync"
	"time"

	"example.com/fleet/internal/store"
)

// Store is a map guarded by a mutex. The zero value is not usable; call New.
type Store struct {
	mu   sync.Mutex
	now  func() time.Time
	data map[string]entry
	// Puts records every key written, in order, for assertions.
	Puts []string
}

type entry struct {
	val  []byte
	exp  time.Time
	meta any
}

// New returns an empty Store.
func New() *Store {
	return &Store{now: time.Now, data: map[string]entry{}}
}

func (s *Store) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.data[key]
	if !ok || (!e.exp.IsZero() && s.now().After(e.exp)) {
		return nil, store.ErrNotFound
	}
	return append([]byte(nil), e.val...), nil
}

func (s *Store) Put(_ context.Context, key string, value []byte, opts ...store.PutOption) error {
	o := store.Apply(opts)
	e := entry{val: append([]byte(nil), value...), meta: o.Metadata}
	switch {
	case o.TTL > 0:
		e.exp = s.now().Add(o.TTL)
	case !o.ExpireAt.IsZero():
		e.exp = o.ExpireAt
	}
	s.mu.Lock()
	s.data[key] = e
	s.Puts = append(s.Puts, key)
	s.mu.Unlock()
	return nil
}

func (s *Store) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	delete(s.data, key)
	s.mu.Unlock()
	return nil
}

func (s *Store) List(_ context.Context, opts store.ListOptions) (store.Page, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for k := range s.data {
		if strings.HasPrefix(k, opts.Prefix) && k > opts.Cursor {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	limit := opts.Limit
	if limit <= 0 {
		limit = 1000
	}
	var p store.Page
	for i, k := range names {
		if i == limit {
			p.Cursor = names[i-1]
			return p, nil
		}
		p.Keys = append(p.Keys, store.Key{Name: k, Expiration: s.data[k].exp, Metadata: s.data[k].meta})
	}
	p.Complete = true
	return p, nil
}
