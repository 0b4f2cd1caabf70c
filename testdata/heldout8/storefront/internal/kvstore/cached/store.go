package cached

import (
	"context"
	"strings"
	"time"

	"example.com/storefront/internal/kvstore"
)

// Store serves Gets for keys under the configured prefixes from memory.
type Store struct {
	next     kvstore.Store
	cache    *Cache[string, []byte]
	prefixes []string
}

var _ kvstore.Store = (*Store)(nil)

// Wrap caches reads of keys under any of prefixes for ttl.
func Wrap(next kvstore.Store, ttl time.Duration, prefixes ...string) *Store {
	return &Store{next: next, cache: NewCache[string, []byte](4096, ttl), prefixes: prefixes}
}

func (s *Store) cacheable(key string) bool {
	for _, p := range s.prefixes {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	return false
}

func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	if !s.cacheable(key) {
		return s.next.Get(ctx, key)
	}
	if v, ok := s.cache.Get(key); ok {
		return v, nil
	}
	v, err := s.next.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	s.cache.Set(key, v)
	return v, nil
}

func (s *Store) Put(ctx context.Context, key string, value []byte, opts ...kvstore.PutOption) error {
	s.cache.Drop(key)
	return s.next.Put(ctx, key, value, opts...)
}

func (s *Store) Delete(ctx context.Context, key string) error {
	s.cache.Drop(key)
	return s.next.Delete(ctx, key)
}

func (s *Store) List(ctx context.Context, prefix, cursor string, limit int) (kvstore.Page, error) {
	return s.next.List(ctx, prefix, cursor, limit)
}
