// Package memkv is an in-memory kvstore.Store for tests and local runs.
package memkv

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"example.com/clinic/internal/kvstore"
)

type entry struct {
	val      []byte
	expires  time.Time
	metadata map[string]any
}

type Store struct {
	mu   sync.Mutex
	data map[string]entry
	now  func() time.Time

	// Puts counts writes per key; tests use it to assert on write volume.
	Puts map[string]int
}

var _ kvstore.Store = (*Store)(nil)

func New() *Store {
	return &Store{data: map[string]entry{}, Puts: map[string]int{}, now: time.Now}
}

func (s *Store) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.data[key]
	if !ok || (!e.expires.IsZero() && s.now().After(e.expires)) {
		return nil, fmt.Errorf("%w: %s", kvstore.ErrNotFound, key)
	}
	return append([]byte(nil), e.val...), nil
}

func (s *Store) Put(_ context.Context, key string, val []byte, opts ...kvstore.PutOption) error {
	o := kvstore.Resolve(opts...)
	e := entry{val: append([]byte(nil), val...)}
	switch {
	case o.TTL > 0:
		e.expires = s.now().Add(o.TTL)
	case !o.ExpireAt.IsZero():
		e.expires = o.ExpireAt
	}
	if m, ok := o.Metadata.(map[string]any); ok {
		e.metadata = m
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

// List pages through keys in lexical order; the cursor is the offset of the
// next key, encoded as a decimal string.
func (s *Store) List(_ context.Context, prefix, cursor string, limit int) (kvstore.Page, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	names := make([]string, 0, len(s.data))
	for k := range s.data {
		if strings.HasPrefix(k, prefix) {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	start := 0
	if cursor != "" {
		n, err := strconv.Atoi(cursor)
		if err != nil {
			return kvstore.Page{}, fmt.Errorf("memkv: bad cursor %q", cursor)
		}
		start = n
	}
	if limit <= 0 {
		limit = 1000
	}
	end := min(start+limit, len(names))
	var page kvstore.Page
	for _, n := range names[start:end] {
		page.Keys = append(page.Keys, kvstore.KeyInfo{Name: n, Metadata: s.data[n].metadata})
	}
	if end < len(names) {
		page.Cursor = strconv.Itoa(end)
	} else {
		page.Complete = true
	}
	return page, nil
}
