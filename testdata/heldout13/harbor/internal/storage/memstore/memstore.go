// Package memstore is an in-memory storage.Store for tests and local runs.
package memstore

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"example.com/harbor/internal/storage"
)

type entry struct {
	value    []byte
	expires  time.Time
	metadata map[string]any
}

// Store keeps values in a map. It is safe for concurrent use.
type Store struct {
	mu     sync.Mutex
	data   map[string]entry
	Writes int // number of Put calls, for tests
}

// New returns an empty Store.
func New() *Store { return &Store{data: make(map[string]entry)} }

func (s *Store) live(key string) (entry, bool) {
	e, ok := s.data[key]
	if ok && !e.expires.IsZero() && !time.Now().Before(e.expires) {
		delete(s.data, key)
		return e, false
	}
	return e, ok
}

func (s *Store) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.live(key); ok {
		return slices.Clone(e.value), nil
	}
	return nil, &storage.KeyError{Op: "get", Key: key, Err: storage.ErrNotFound}
}

func (s *Store) Put(_ context.Context, key string, value []byte, opts ...storage.PutOption) error {
	o := storage.Apply(opts)
	e := entry{value: slices.Clone(value)}
	if o.TTL > 0 {
		e.expires = time.Now().Add(o.TTL)
	} else if o.Expiration > 0 {
		e.expires = time.Unix(o.Expiration, 0)
	}
	if o.Metadata != nil {
		b, _ := json.Marshal(o.Metadata)
		_ = json.Unmarshal(b, &e.metadata)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.data[key] = e
	s.Writes++
	return nil
}

func (s *Store) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.data, key)
	return nil
}

// List pages through keys in order; the cursor is an offset.
func (s *Store) List(_ context.Context, req storage.ListRequest) (storage.Page, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for k := range s.data {
		if _, ok := s.live(k); ok && strings.HasPrefix(k, req.Prefix) {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	start, _ := strconv.Atoi(req.Cursor)
	limit := req.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	start = min(start, len(names))
	end := min(start+limit, len(names))
	var page storage.Page
	for _, name := range names[start:end] {
		e := s.data[name]
		page.Keys = append(page.Keys, storage.Key{Name: name, Expiration: e.expires, Metadata: e.metadata})
	}
	if end < len(names) {
		page.Cursor = strconv.Itoa(end)
	}
	return page, nil
}
