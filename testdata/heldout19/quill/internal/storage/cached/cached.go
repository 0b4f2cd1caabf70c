// Package cached puts a process-local LRU in front of a storage.ReadWriter.
package cached

import (
	"context"
	"slices"
	"time"

	"example.com/quill/internal/lru"
	"example.com/quill/internal/storage"
)

// Store is a read-through decorator.
type Store struct {
	next  storage.ReadWriter
	cache *lru.Cache[string, []byte]
}

// New caches up to size values for ttl each.
func New(next storage.ReadWriter, size int, ttl time.Duration) *Store {
	return &Store{next: next, cache: lru.New[string, []byte](size, ttl)}
}

// Get implements storage.Reader. Misses are not cached.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	if v, ok := s.cache.Get(key); ok {
		return slices.Clone(v), nil
	}
	v, err := s.next.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	s.cache.Add(key, slices.Clone(v))
	return v, nil
}

// List implements storage.Reader. Listings are never cached.
func (s *Store) List(ctx context.Context, opts storage.ListOptions) (storage.Page, error) {
	return s.next.List(ctx, opts)
}

func (s *Store) Put(ctx context.Context, key string, value []byte, opts storage.PutOptions) error {
	s.cache.Remove(key)
	return s.next.Put(ctx, key, value, opts)
}

func (s *Store) Delete(ctx context.Context, key string) error {
	s.cache.Remove(key)
	return s.next.Delete(ctx, key)
}
