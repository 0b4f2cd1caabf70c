// Package memkv is an in-memory kvstore.Store for tests and local runs.
package memkv

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"example.com/storefront/internal/kvstore"
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

	Puts    int
	Deletes int
}

var _ kvstore.Store = (*Store)(nil)

// New returns an empty store.
func New() *Store {
	return &Store{data: make(map[string]entry), now: time.Now}
}

func (s *Store) live(key string) (entry, bool) {
	e, ok := s.data[key]
	if !ok {
		return entry{}, false
	}
	if !e.expires.IsZero() && !s.now().Before(e.expires) {
		delete(s.data, key)
		return entry{}, false
	}
	return e, true
}

func (s *Store) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.live(key)
	if !ok {
		return nil, kvstore.ErrNotFound
	}
	return append([]byte(nil), e.value...), nil
}

func (s *Store) Put(_ context.Context, key string, value []byte, opts ...kvstore.PutOption) error {
	o := kvstore.Collect(opts)
	e := entry{value: append([]byte(nil), value...), metadata: o.Metadata}
	switch {
	case o.TTL > 0:
		e.expires = s.now().Add(o.TTL)
	case !o.ExpireAt.IsZero():
		e.expires = o.ExpireAt
	}
	s.mu.Lock()
	s.data[key] = e
	s.Puts++
	s.mu.Unlock()
	return nil
}

func (s *Store) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	delete(s.data, key)
	s.Deletes++
	s.mu.Unlock()
	return nil
}

func (s *Store) List(_ context.Context, prefix, cursor string, limit int) (kvstore.Page, error) {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	names := make([]string, 0, len(s.data))
	for k := range s.data {
		if strings.HasPrefix(k, prefix) {
			if _, ok := s.live(k); ok {
				names = append(names, k)
			}
		}
	}
	sort.Strings(names)
	start := 0
	if cursor != "" {
		n, err := strconv.Atoi(cursor)
		if err != nil {
			return kvstore.Page{}, err
		}
		start = n
	}
	var page kvstore.Page
	end := min(start+limit, len(names))
	for _, k := range names[start:end] {
		page.Keys = append(page.Keys, kvstore.KeyInfo{Name: k, Expiration: s.data[k].expires, Metadata: s.data[k].metadata})
	}
	if end < len(names) {
		page.Cursor = strconv.Itoa(end)
	} else {
		page.Complete = true
	}
	return page, nil
}
