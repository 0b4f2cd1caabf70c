// Package memkv is an in-memory kvstore.Store for tests and local development.
// It honours TTLs and absolute expirations and pages List results like KV does.
package memkv

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"example.com/quarry/internal/kvstore"
)

type entry struct {
	value    []byte
	expires  time.Time
	metadata any
}

// Store is a goroutine-safe in-memory Store.
type Store struct {
	mu   sync.Mutex
	data map[string]entry
	now  func() time.Time
}

// New returns an empty Store.
func New() *Store { return &Store{data: map[string]entry{}, now: time.Now} }

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

// Get implements kvstore.Store.
func (s *Store) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.live(key)
	if !ok {
		return nil, kvstore.ErrNotFound
	}
	return append([]byte{}, e.value...), nil
}

// Put implements kvstore.Store.
func (s *Store) Put(_ context.Context, key string, value []byte, opts kvstore.PutOptions) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := entry{value: append([]byte{}, value...), metadata: opts.Metadata}
	switch {
	case opts.TTL > 0:
		e.expires = s.now().Add(opts.TTL)
	case opts.ExpiresAt > 0:
		e.expires = time.Unix(opts.ExpiresAt, 0)
	}
	s.data[key] = e
	return nil
}

// Delete implements kvstore.Store.
func (s *Store) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.data, key)
	return nil
}

// List implements kvstore.Store. The cursor is the offset into the sorted key set.
func (s *Store) List(_ context.Context, req kvstore.ListRequest) (kvstore.ListPage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for k := range s.data {
		if _, ok := s.live(k); ok && strings.HasPrefix(k, req.Prefix) {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	start := 0
	if req.Cursor != "" {
		n, err := strconv.Atoi(req.Cursor)
		if err != nil {
			return kvstore.ListPage{}, err
		}
		start = min(n, len(names))
	}
	limit := req.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	end := min(start+limit, len(names))
	page := kvstore.ListPage{}
	for _, n := range names[start:end] {
		e := s.data[n]
		var exp int64
		if !e.expires.IsZero() {
			exp = e.expires.Unix()
		}
		page.Keys = append(page.Keys, kvstore.Key{Name: n, Expiration: exp, Metadata: e.metadata})
	}
	if end < len(names) {
		page.Cursor = strconv.Itoa(end)
	}
	return page, nil
}
