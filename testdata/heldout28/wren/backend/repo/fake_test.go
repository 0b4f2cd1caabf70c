package repo

import (
	"context"
	"slices"
	"strings"
	"sync"

	"example.com/wren/backend/ports"
)

// memKV is an in-memory ports.KV for tests.
type memKV struct {
	mu sync.Mutex
	m  map[string][]byte
}

var _ ports.KV = (*memKV)(nil)

func newMemKV() *memKV { return &memKV{m: map[string][]byte{}} }

func (s *memKV) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[key]
	if !ok {
		return nil, ports.ErrNotFound
	}
	return slices.Clone(v), nil
}

func (s *memKV) Put(_ context.Context, key string, val []byte, _ ...ports.PutOption) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[key] = slices.Clone(val)
	return nil
}

func (s *memKV) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, key)
	return nil
}

func (s *memKV) List(_ context.Context, prefix, cursor string, limit int) (ports.Page, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for k := range s.m {
		if strings.HasPrefix(k, prefix) && k > cursor {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	page := ports.Page{Complete: len(names) <= limit}
	if !page.Complete {
		names = names[:limit]
		page.Cursor = names[len(names)-1]
	}
	for _, n := range names {
		page.Keys = append(page.Keys, ports.Key{Name: n})
	}
	return page, nil
}
