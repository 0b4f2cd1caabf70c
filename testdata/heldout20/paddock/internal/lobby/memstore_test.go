package lobby_test

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"example.com/paddock/internal/store"
)

type entry struct {
	value    []byte
	expires  time.Time
	metadata json.RawMessage
}

// memStore is a goroutine-safe in-memory store.Store.
type memStore struct {
	mu   sync.RWMutex
	data map[string]entry
	now  func() time.Time
	// Writes counts Put calls per key; tests use it to assert write volume.
	Writes map[string]int
}

func newMemStore() *memStore {
	return &memStore{data: map[string]entry{}, Writes: map[string]int{}, now: time.Now}
}

var _ store.Store = (*memStore)(nil)

func (s *memStore) live(e entry) bool { return e.expires.IsZero() || s.now().Before(e.expires) }

// Get implements store.Store.
func (s *memStore) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	e, ok := s.data[key]
	if !ok || !s.live(e) {
		return nil, store.ErrNotFound
	}
	return slices.Clone(e.value), nil
}

// Put implements store.Store.
func (s *memStore) Put(_ context.Context, key string, value []byte, opts store.WriteOptions) error {
	e := entry{value: slices.Clone(value)}
	switch {
	case opts.TTL > 0:
		e.expires = s.now().Add(opts.TTL)
	case !opts.ExpireAt.IsZero():
		e.expires = opts.ExpireAt
	}
	if opts.Metadata != nil {
		raw, err := json.Marshal(opts.Metadata)
		if err != nil {
			return err
		}
		e.metadata = raw
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.data[key] = e
	s.Writes[key]++
	return nil
}

// Delete implements store.Store.
func (s *memStore) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.data, key)
	return nil
}

// List implements store.Store. Cursors are the last key of the previous page.
func (s *memStore) List(_ context.Context, q store.ListQuery) (store.Page, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	limit := q.Limit
	if limit <= 0 {
		limit = 1000
	}
	var page store.Page
	for _, k := range slices.Sorted(maps.Keys(s.data)) {
		if !strings.HasPrefix(k, q.Prefix) || (q.Cursor != "" && k <= q.Cursor) || !s.live(s.data[k]) {
			continue
		}
		if len(page.Keys) == limit {
			page.Cursor = page.Keys[len(page.Keys)-1].Name
			break
		}
		e := s.data[k]
		page.Keys = append(page.Keys, store.KeyInfo{Name: k, Expiration: e.expires, Metadata: e.metadata})
	}
	return page, nil
}
