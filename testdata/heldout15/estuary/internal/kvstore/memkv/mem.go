// Package memkv is an in-memory kvstore.Store for tests. It honours TTLs and
// expirations against an injectable clock and pages listings like KV does.
package memkv

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"example.com/estuary/internal/kvstore"
)

type entry struct {
	value    []byte
	expires  time.Time
	metadata map[string]any
}

// Store is the fake. Set Now to control expiry.
type Store struct {
	mu   sync.Mutex
	data map[string]entry
	Now  func() time.Time
}

var _ kvstore.Store = (*Store)(nil)

func New() *Store { return &Store{data: map[string]entry{}, Now: time.Now} }

func (s *Store) live(key string) (entry, bool) {
	e, ok := s.data[key]
	if ok && !e.expires.IsZero() && !s.Now().Before(e.expires) {
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
	return nil, &kvstore.NotFoundError{Key: key}
}

func (s *Store) Put(_ context.Context, key string, value []byte, opts kvstore.PutOptions) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := entry{value: slices.Clone(value), metadata: opts.Metadata}
	if opts.TTL > 0 {
		e.expires = s.Now().Add(opts.TTL)
	} else if !opts.ExpireAt.IsZero() {
		e.expires = opts.ExpireAt
	}
	s.data[key] = e
	return nil
}

func (s *Store) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.data, key)
	return nil
}

// List pages in key order; the cursor is the last key of the previous page.
func (s *Store) List(_ context.Context, prefix, cursor string, limit int) (kvstore.Page, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	var names []string
	for k := range s.data {
		if _, ok := s.live(k); ok && strings.HasPrefix(k, prefix) && k > cursor {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	var page kvstore.Page
	if len(names) > limit {
		names, page.Cursor = names[:limit], names[limit-1]
	}
	for _, k := range names {
		e := s.data[k]
		info := kvstore.KeyInfo{Name: k, Metadata: e.metadata}
		if !e.expires.IsZero() {
			info.Expiration = e.expires.Unix()
		}
		page.Keys = append(page.Keys, info)
	}
	return page, nil
}
