// Package memstore is the in-memory fake of store.Store for tests: it must
// not hide that the real implementation is KV.
package memstore

import (
	"context"
	"sync"
	"time"

	"kvlint.test/ports/store"
)

type Mem struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (s *Mem) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[key]
	if !ok {
		return nil, store.ErrNotFound
	}
	return v, nil
}

func (s *Mem) Set(_ context.Context, key string, v []byte, _ time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = make(map[string][]byte)
	}
	s.m[key] = v
	return nil
}
