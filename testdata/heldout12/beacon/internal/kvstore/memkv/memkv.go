// Package memkv is an in-memory kvstore.Store for tests and local runs.
package memkv

import (
	"context"
	"iter"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"example.com/beacon/internal/kvstore"
)

type entry struct {
	value    []byte
	expires  time.Time
	metadata map[string]any
}

// Store keeps entries in a map guarded by a mutex. Writes counts puts per
// key so tests can assert on write volume.
type Store struct {
	mu     sync.Mutex
	data   map[string]entry
	Writes map[string]int
}

func New() *Store { return &Store{data: map[string]entry{}, Writes: map[string]int{}} }

func (s *Store) live(key string) (entry, bool) {
	e, ok := s.data[key]
	if ok && !e.expires.IsZero() && !time.Now().Before(e.expires) {
		delete(s.data, key)
		return entry{}, false
	}
	return e, ok
}

func (s *Store) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.live(key); ok {
		return slices.Clone(e.value), nil
	}
	return nil, kvstore.ErrNotFound
}

func (s *Store) Put(_ context.Context, key string, value []byte, opts kvstore.PutOptions) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := entry{value: slices.Clone(value), metadata: opts.Metadata, expires: opts.ExpireAt}
	if opts.TTL > 0 {
		e.expires = time.Now().Add(opts.TTL)
	}
	s.data[key] = e
	s.Writes[key]++
	return nil
}

func (s *Store) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.data, key)
	return nil
}

// List pages through keys in byte order; the cursor is the next offset.
func (s *Store) List(_ context.Context, prefix, cursor string, limit int) (kvstore.Page, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for k := range s.data {
		if _, ok := s.live(k); ok && strings.HasPrefix(k, prefix) {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	start, _ := strconv.Atoi(cursor)
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	end := min(start+limit, len(names))
	var page kvstore.Page
	for _, name := range names[min(start, end):end] {
		page.Keys = append(page.Keys, kvstore.KeyInfo{Name: name, Metadata: s.data[name].metadata})
	}
	if end < len(names) {
		page.Cursor = strconv.Itoa(end)
	}
	return page, nil
}

func (s *Store) GetMany(ctx context.Context, keys []string) (map[string][]byte, error) {
	out := make(map[string][]byte, len(keys))
	for _, k := range keys {
		if v, err := s.Get(ctx, k); err == nil {
			out[k] = v
		}
	}
	return out, nil
}

// Keys yields every live key under prefix in order.
func (s *Store) Keys(ctx context.Context, prefix string) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		for cursor := ""; ; {
			page, _ := s.List(ctx, prefix, cursor, 1000)
			for _, k := range page.Keys {
				if !yield(k.Name, nil) {
					return
				}
			}
			if page.Done() {
				return
			}
			cursor = page.Cursor
		}
	}
}

// Len returns the number of live keys.
func (s *Store) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for k := range s.data {
		if _, ok := s.live(k); ok {
			n++
		}
	}
	return n
}
