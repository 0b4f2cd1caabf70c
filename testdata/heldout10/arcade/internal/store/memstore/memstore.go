// Package memstore is an in-memory store.Store for tests and local runs.
package memstore

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"example.com/arcade/internal/store"
)

type entry struct {
	value   []byte
	expires time.Time
}

type Store struct {
	mu   sync.Mutex
	data map[string]entry
	now  func() time.Time

	// Writes records every key written, in order, so tests can assert on it.
	Writes []string
}

func New() *Store {
	return &Store{data: map[string]entry{}, now: time.Now}
}

func (s *Store) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.data[key]
	if !ok || (!e.expires.IsZero() && s.now().After(e.expires)) {
		return nil, store.ErrNotFound
	}
	return append([]byte(nil), e.value...), nil
}

func (s *Store) Put(_ context.Context, key string, value []byte, opts ...store.PutOption) error {
	o := store.ApplyPut(opts)
	e := entry{value: append([]byte(nil), value...)}
	switch {
	case o.TTL > 0:
		e.expires = s.now().Add(o.TTL)
	case !o.ExpireAt.IsZero():
		e.expires = o.ExpireAt
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.data[key] = e
	s.Writes = append(s.Writes, key)
	return nil
}

func (s *Store) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.data, key)
	return nil
}

// List pages through keys in lexical order. The cursor is the offset.
func (s *Store) List(_ context.Context, prefix string, opts ...store.ListOption) (store.Page, error) {
	o := store.ApplyList(opts)
	limit := o.Limit
	if limit <= 0 {
		limit = 1000
	}
	start, _ := strconv.Atoi(o.Cursor)
	s.mu.Lock()
	names := make([]string, 0, len(s.data))
	for k := range s.data {
		if strings.HasPrefix(k, prefix) {
			names = append(names, k)
		}
	}
	s.mu.Unlock()
	sort.Strings(names)
	if start > len(names) {
		start = len(names)
	}
	end := min(start+limit, len(names))
	page := store.Page{Keys: names[start:end], Complete: end == len(names)}
	if !page.Complete {
		page.Cursor = strconv.Itoa(end)
	}
	return page, nil
}

var _ store.Store = (*Store)(nil)
