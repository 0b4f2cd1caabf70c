// Package memstore is an in-memory storage.ReadWriter for tests.
package memstore

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"example.com/quill/internal/storage"
)

type entry struct {
	val     []byte
	expires time.Time
	meta    map[string]any
}

// Store is safe for concurrent use. Puts and Deletes count calls.
type Store struct {
	mu            sync.Mutex
	data          map[string]entry
	Puts, Deletes int
}

func New() *Store { return &Store{data: map[string]entry{}} }

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
	e, ok := s.live(key)
	if !ok {
		return nil, storage.ErrNotFound
	}
	return slices.Clone(e.val), nil
}

func (s *Store) Put(_ context.Context, key string, value []byte, opts storage.PutOptions) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := entry{val: slices.Clone(value), meta: maps.Clone(opts.Metadata), expires: opts.ExpiresAt}
	if opts.TTL > 0 {
		e.expires = time.Now().Add(opts.TTL)
	}
	s.data[key] = e
	s.Puts++
	return nil
}

func (s *Store) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.data, key)
	s.Deletes++
	return nil
}

// List implements storage.Reader. The cursor is an offset.
func (s *Store) List(_ context.Context, opts storage.ListOptions) (storage.Page, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for k := range s.data {
		if _, ok := s.live(k); ok && strings.HasPrefix(k, opts.Prefix) {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	start, _ := strconv.Atoi(opts.Cursor)
	start = min(start, len(names))
	limit := opts.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	end := min(start+limit, len(names))
	page := storage.Page{Complete: end == len(names)}
	for _, k := range names[start:end] {
		e := s.data[k]
		info := storage.KeyInfo{Name: k, Metadata: maps.Clone(e.meta)}
		if !e.expires.IsZero() {
			info.Expiration = e.expires.Unix()
		}
		page.Keys = append(page.Keys, info)
	}
	if !page.Complete {
		page.Cursor = strconv.Itoa(end)
	}
	return page, nil
}
