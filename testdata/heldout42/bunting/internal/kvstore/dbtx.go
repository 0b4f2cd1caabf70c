package kvstore

import (
	"context"
	"time"
)

// QueryRow returns the raw value at key; it satisfies db.DBTX.
func (s *Store) QueryRow(ctx context.Context, key string) ([]byte, error) {
	return s.Get(ctx, key)
}

// Exec writes value at key; it satisfies db.DBTX.
func (s *Store) Exec(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return s.Put(ctx, key, value, ttl)
}

// Remove deletes key; it satisfies db.DBTX.
func (s *Store) Remove(ctx context.Context, key string) error {
	return s.Delete(ctx, key)
}
