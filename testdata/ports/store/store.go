// Package store is the storage port the services see: they never import
// the KV adapter, which main wires in.
package store

import (
	"context"
	"errors"
	"time"
)

var ErrNotFound = errors.New("not found")

type Store interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Set(ctx context.Context, key string, v []byte, ttl time.Duration) error
}
