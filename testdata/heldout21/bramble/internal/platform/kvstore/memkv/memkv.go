// Package memkv is an in-memory kvstore.Store for tests and local runs. It
// honours expirations and pages listings the way the real service does.
package memkv

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"example.com/bramble/internal/platform/kvstore"
)

type entry struct {
	value     []byte
	expiresAt time.Time
	metadata  map[string]string
}

func (e entry) expired(now time.Time) bool {
	return !e.expiresAt.IsZero() && !now.Before(e.expiresAt)
}

// Store is a mutex-guarded map.
type Store struct {
	mu   sync.Mutex
	data map[string]entry
	now  func() time.Time
}

var _ kvstore.Store = (*Store)(nil)

// New returns an empty store using the wall clock.
func New() *Store { return &Store{data: make(map[string]entry), now: time.Now} }

func (s *Store) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.data[key]
	if !ok || e.expired(s.now()) {
		return nil, kvstore.ErrNotFound
	}
	return slices.Clone(e.value), nil
}

func (s *Store) Put(_ context.Context, key string, value []byte, opts ...kvstore.Option) error {
	settings := kvstore.Resolve(opts...)
	s.mu.Lock()
	defer s.mu.Unlock()
	e := entry{value: slices.Clone(value), metadata: maps.Clone(settings.Metadata)}
	switch {
	case settings.TTL > 0:
		e.expiresAt = s.now().Add(settings.TTL)
	case !settings.ExpiresAt.IsZero():
		e.expiresAt = settings.ExpiresAt
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

func (s *Store) List(_ context.Context, req kvstore.ListRequest) (kvstore.Page, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	var names []string
	for k, e := range s.data {
		if strings.HasPrefix(k, req.PrefixValue()) && !e.expired(now) {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	start := 0
	if c := req.CursorValue(); c != "" {
		n, err := strconv.Atoi(c)
		if err != nil || n < 0 || n > len(names) {
			return kvstore.Page{}, err
		}
		start = n
	}
	limit := req.LimitValue()
	if limit <= 0 {
		limit = 1000
	}
	end := min(start+limit, len(names))
	page := kvstore.Page{Keys: make([]kvstore.KeyInfo, 0, end-start)}
	for _, name := range names[start:end] {
		e := s.data[name]
		page.Keys = append(page.Keys, kvstore.KeyInfo{Name: name, Expiration: e.expiresAt, Metadata: maps.Clone(e.metadata)})
	}
	if end < len(names) {
		page.Cursor = strconv.Itoa(end)
	} else {
		page.Complete = true
	}
	return page, nil
}
