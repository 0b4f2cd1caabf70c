//go:build js && wasm

package kvstore

import (
	"context"
	"errors"
	"sync"
	"time"
)

var (
	defaultMu    sync.RWMutex
	defaultStore *Store
)

// SetDefault makes s the store used by the package-level functions.
func SetDefault(s *Store) {
	defaultMu.Lock()
	defaultStore = s
	defaultMu.Unlock()
}

// Default returns the store set by SetDefault, or nil.
func Default() *Store {
	defaultMu.RLock()
	defer defaultMu.RUnlock()
	return defaultStore
}

var errNoDefault = errors.New("kvstore: no default store; call SetDefault")

func std() (*Store, error) {
	if s := Default(); s != nil {
		return s, nil
	}
	return nil, errNoDefault
}

// Get calls Get on the default store.
func Get(ctx context.Context, key string) (string, bool, error) {
	s, err := std()
	if err != nil {
		return "", false, err
	}
	return s.Get(ctx, key)
}

// Load calls Load on the default store.
func Load(ctx context.Context, key string, dst any) (bool, error) {
	s, err := std()
	if err != nil {
		return false, err
	}
	return s.Load(ctx, key, dst)
}

// Put calls Put on the default store.
func Put(ctx context.Context, key string, v any, ttl time.Duration) error {
	s, err := std()
	if err != nil {
		return err
	}
	return s.Put(ctx, key, v, ttl)
}

// PutString calls PutString on the default store.
func PutString(ctx context.Context, key, val string, ttl time.Duration) error {
	s, err := std()
	if err != nil {
		return err
	}
	return s.PutString(ctx, key, val, ttl)
}

// PutUntil calls PutUntil on the default store.
func PutUntil(ctx context.Context, key string, v any, at time.Time) error {
	s, err := std()
	if err != nil {
		return err
	}
	return s.PutUntil(ctx, key, v, at)
}

// Delete calls Delete on the default store.
func Delete(ctx context.Context, key string) error {
	s, err := std()
	if err != nil {
		return err
	}
	return s.Delete(ctx, key)
}
