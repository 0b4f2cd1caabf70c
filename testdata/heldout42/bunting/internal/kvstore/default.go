package kvstore

import (
	"context"
	"sync"
	"time"
)

var (
	defaultMu sync.RWMutex
	std       *Store
)

// SetDefault makes s the store used by the package-level functions.
func SetDefault(s *Store) {
	defaultMu.Lock()
	std = s
	defaultMu.Unlock()
}

// Default returns the store installed by SetDefault.
func Default() *Store {
	defaultMu.RLock()
	defer defaultMu.RUnlock()
	if std == nil {
		panic("kvstore: SetDefault was not called")
	}
	return std
}

// Get calls Default().Get.
func Get(ctx context.Context, key string) ([]byte, error) { return Default().Get(ctx, key) }

// Load calls Default().Load.
func Load(ctx context.Context, key string, out any) error { return Default().Load(ctx, key, out) }

// Put calls Default().Put.
func Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return Default().Put(ctx, key, value, ttl)
}

// PutJSON calls Default().PutJSON.
func PutJSON(ctx context.Context, key string, v any, ttl time.Duration) error {
	return Default().PutJSON(ctx, key, v, ttl)
}

// PutCached calls Default().PutCached.
func PutCached(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return Default().PutCached(ctx, key, value, ttl)
}

// Delete calls Default().Delete.
func Delete(ctx context.Context, key string) error { return Default().Delete(ctx, key) }
