// Package stampede keeps a burst of waiting-room traffic from rebuilding
// the same expensive projection many times at once: a read-through cache
// over the store, and a best-effort rebuild lock.
package stampede

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"example.com/wharf/internal/keys"
	"example.com/wharf/internal/storage"
)

// ErrBusy is returned when another isolate holds the rebuild lock.
var ErrBusy = errors.New("stampede: rebuild in progress")

// Loader computes a value from the authoritative source.
type Loader[T any] func(ctx context.Context) (T, error)

// ReadThrough returns the cached T at key, or loads, caches and returns it.
func ReadThrough[T any](ctx context.Context, s storage.Store, key string, ttl time.Duration, load Loader[T]) (T, error) {
	var zero T
	raw, err := s.Get(ctx, key)
	if err == nil {
		var v T
		if err := json.Unmarshal(raw, &v); err == nil {
			return v, nil
		}
	} else if !errors.Is(err, storage.ErrNotFound) {
		return zero, err
	}
	v, err := load(ctx)
	if err != nil {
		return zero, err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return zero, fmt.Errorf("cache %q: %w", key, err)
	}
	if err := storage.PutCached(ctx, s, key, b, ttl); err != nil {
		return v, fmt.Errorf("cache %q: %w", key, err)
	}
	return v, nil
}

// Lock is a best-effort rebuild lock held in the store.
type Lock struct {
	Store storage.Store
	Owner string
	TTL   time.Duration
}

// TryAcquire takes the lock called name unless someone else holds it.
func (l Lock) TryAcquire(ctx context.Context, name string) error {
	key := keys.Lock(name)
	_, err := l.Store.Get(ctx, key)
	switch {
	case err == nil:
		return ErrBusy
	case !errors.Is(err, storage.ErrNotFound):
		return err
	}
	stamp := fmt.Sprintf("%s@%d", l.Owner, time.Now().Unix())
	return l.Store.Put(ctx, key, []byte(stamp), storage.PutOptions{TTL: max(l.TTL, time.Minute)}) // EXPECT kvrace
}

// Release drops the lock.
func (l Lock) Release(ctx context.Context, name string) error {
	return l.Store.Delete(ctx, keys.Lock(name))
}

// Rebuild runs fn under the lock called name. When another isolate holds
// the lock it returns ErrBusy without running fn.
func (l Lock) Rebuild(ctx context.Context, name string, fn func(context.Context) error) error {
	if err := l.TryAcquire(ctx, name); err != nil {
		return err
	}
	defer func() { _ = l.Release(context.WithoutCancel(ctx), name) }()
	return fn(ctx)
}
