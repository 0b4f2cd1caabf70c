// Package memstore is an in-memory store.Store for tests and local runs.
package memstore

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"example.com/identity/internal/store"
)

type entry struct {
	value    []byte
	expires  time.Time
	metadata json.RawMessage
}

// Store keeps everything in a map. Writes counts Put calls for assertions.
type Store struct {
	mu     sync.Mutex
	data   map[string]entry
	Writes int
}

func New() *Store { return &Store{data: map[string]entry{}} }

var _ store.Store = (*Store)(nil)

func (s *Store) live(k string) (entry, bool) {
	e, ok := s.data[k]
	if ok && !e.expires.IsZero() && !time.Now().Before(e.expires) {
		delete(s.data, k)
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
	return nil, store.ErrNotFound
}

func (s *Store) Put(_ context.Context, key string, value []byte, opts ...store.PutOption) error {
	o := store.Collect(opts)
	e := entry{value: slices.Clone(value), expires: o.ExpiresAt}
	if o.TTL > 0 {
		e.expires = time.Now().Add(o.TTL)
	}
	if o.Metadata != nil {
		e.metadata, _ = json.Marshal(o.Metadata)
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

func (s *Store) List(_ context.Context, lo store.ListOptions) (*store.Page, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for k := range s.data {
		if _, ok := s.live(k); ok && strings.HasPrefix(k, lo.Prefix) {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	start, _ := strconv.Atoi(lo.Cursor)
	limit := lo.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	end := min(start+limit, len(names))
	page := &store.Page{Complete: end >= len(names)}
	if !page.Complete {
		page.Cursor = strconv.Itoa(end)
	}
	for _, n := range names[start:end] {
		info := store.KeyInfo{Name: n, Metadata: s.data[n].metadata}
		if exp := s.data[n].expires; !exp.IsZero() {
			info.Expiration = exp.Unix()
		}
		page.Keys = append(page.Keys, info)
	}
	return page, nil
}
