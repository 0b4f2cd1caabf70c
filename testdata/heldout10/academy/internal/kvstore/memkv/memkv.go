// Package memkv is an in-memory kvstore.Store for tests and local runs.
package memkv

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"example.com/academy/internal/kvstore"
)

type entry struct {
	value    []byte
	expires  time.Time
	metadata any
}

type Store struct {
	mu   sync.Mutex
	data map[string]entry
	// Writes records every key written, in order, for assertions.
	Writes []string
}

func New() *Store { return &Store{data: map[string]entry{}} }

func (s *Store) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.data[key]
	if !ok || (!e.expires.IsZero() && time.Now().After(e.expires)) {
		return nil, kvstore.ErrNotFound
	}
	return slices.Clone(e.value), nil
}

func (s *Store) Put(_ context.Context, key string, value []byte, opts ...kvstore.PutOption) error {
	o := kvstore.Apply(opts)
	e := entry{value: slices.Clone(value), metadata: o.Metadata, expires: o.ExpireAt}
	if o.TTL > 0 {
		e.expires = time.Now().Add(o.TTL)
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

// List pages through keys in lexical order; the cursor is an offset.
func (s *Store) List(_ context.Context, q kvstore.ListQuery) (kvstore.Page, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for k := range s.data {
		if strings.HasPrefix(k, q.Prefix) {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	start, _ := strconv.Atoi(q.Cursor)
	limit := q.Limit
	if limit <= 0 {
		limit = 1000
	}
	end := min(start+limit, len(names))
	var page kvstore.Page
	for _, k := range names[min(start, end):end] {
		page.Keys = append(page.Keys, kvstore.Key{Name: k, Metadata: s.data[k].metadata})
	}
	if end < len(names) {
		page.Cursor = strconv.Itoa(end)
	}
	return page, nil
}
