// Package memkv is an in-memory kvstore.Store for tests and local runs.
package memkv

import (
	"cmp"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"time"

	"example.com/vireo/internal/kvstore"
)

type entry struct {
	value    []byte
	expireAt time.Time
	meta     json.RawMessage
}

// Store keeps entries in a map guarded by a RWMutex.
type Store struct {
	mu      sync.RWMutex
	entries map[string]entry
	now     func() time.Time
}

// New returns an empty store using clock for expiry.
func New(clock func() time.Time) *Store {
	if clock == nil {
		clock = time.Now
	}
	return &Store{entries: make(map[string]entry), now: clock}
}

var _ kvstore.Store = (*Store)(nil)

func (s *Store) live(e entry) bool {
	return e.expireAt.IsZero() || s.now().Before(e.expireAt)
}

// Get returns a copy of the stored value.
func (s *Store) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	e, ok := s.entries[key]
	if !ok || !s.live(e) {
		return nil, kvstore.ErrNotFound
	}
	return slices.Clone(e.value), nil
}

// Put stores a copy of value.
func (s *Store) Put(_ context.Context, key string, value []byte, opts kvstore.WriteOptions) error {
	e := entry{value: slices.Clone(value)}
	switch {
	case opts.TTL > 0:
		e.expireAt = s.now().Add(opts.TTL)
	case opts.ExpireAt > 0:
		e.expireAt = time.Unix(opts.ExpireAt, 0)
	}
	if opts.Metadata != nil {
		raw, err := json.Marshal(opts.Metadata)
		if err != nil {
			return err
		}
		e.meta = raw
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.entries[key] = e
	return nil
}

// Delete removes key.
func (s *Store) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.entries, key)
	return nil
}

// List pages through keys in byte order; the cursor is the last key returned.
func (s *Store) List(_ context.Context, q kvstore.ListQuery) (kvstore.Page, error) {
	limit := min(cmp.Or(q.Limit, kvstore.MaxListLimit), kvstore.MaxListLimit)
	s.mu.RLock()
	defer s.mu.RUnlock()
	names := make([]string, 0, len(s.entries))
	for name, e := range s.entries {
		if strings.HasPrefix(name, q.Prefix) && name > q.Cursor && s.live(e) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	page := kvstore.Page{Complete: len(names) <= limit}
	for _, name := range names[:min(limit, len(names))] {
		e := s.entries[name]
		k := kvstore.Key{Name: name, Metadata: e.meta}
		if !e.expireAt.IsZero() {
			k.Expiration = e.expireAt.Unix()
		}
		page.Keys = append(page.Keys, k)
	}
	if !page.Complete {
		page.Cursor = page.Keys[len(page.Keys)-1].Name
	}
	return page, nil
}
