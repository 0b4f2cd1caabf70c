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

// Write is the fake's store.Writer: it keeps the value and forgets the
// lifetime.
func (s *Mem) Write(ctx context.Context, key string, v []byte, _ store.WriteOptions) error {
	return s.Set(ctx, key, v, 0)
}

// Touch writes through the fake's own Write: the options it builds reach
// no KV, whatever their lifetime.
func (s *Mem) Touch(ctx context.Context, key string) error {
	return s.Write(ctx, key, nil, store.WriteOptions{TTL: 5 * time.Second})
}

// Put is the fake's store.Cache: it applies the options and forgets
// the lifetime.
func (s *Mem) Put(ctx context.Context, key string, v []byte, opts ...store.PutOption) error {
	var o store.PutOptions
	for _, opt := range opts {
		opt(&o)
	}
	return s.Set(ctx, key, v, o.TTL)
}
