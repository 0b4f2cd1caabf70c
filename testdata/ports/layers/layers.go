// Package layers stacks decorators on the storage port. WithTTLFloor's
// raises every lifetime under its floor before it passes the write on.
package layers

import (
	"context"
	"time"

	"kvlint.test/ports/store"
)

// A Layer wraps a store in a decorator.
type Layer func(store.Store) store.Store

// Stack applies layers to base, innermost first.
func Stack(base store.Store, layers ...Layer) store.Store {
	for _, l := range layers {
		base = l(base)
	}
	return base
}

// WithTTLFloor raises any lifetime under floor to floor.
func WithTTLFloor(floor time.Duration) Layer {
	return func(next store.Store) store.Store { return &floored{next: next, floor: floor} }
}

type floored struct {
	next  store.Store
	floor time.Duration
}

func (f *floored) Get(ctx context.Context, key string) ([]byte, error) { return f.next.Get(ctx, key) }

func (f *floored) Set(ctx context.Context, key string, v []byte, ttl time.Duration) error {
	if ttl > 0 && ttl < f.floor {
		ttl = f.floor
	}
	return f.next.Set(ctx, key, v, ttl)
}

// AtLeastMinute is a floored store made directly, its floor its own.
func AtLeastMinute(next store.Store) store.Store { return &minute{next} }

type minute struct{ next store.Store }

func (m *minute) Get(ctx context.Context, key string) ([]byte, error) { return m.next.Get(ctx, key) }

func (m *minute) Set(ctx context.Context, key string, v []byte, ttl time.Duration) error {
	return m.next.Set(ctx, key, v, max(ttl, time.Minute))
}

// WithPrefix puts p before every key; lifetimes pass as they are.
func WithPrefix(p string) Layer {
	return func(next store.Store) store.Store { return &prefixed{next: next, p: p} }
}

type prefixed struct {
	next store.Store
	p    string
}

func (s *prefixed) Get(ctx context.Context, key string) ([]byte, error) {
	return s.next.Get(ctx, s.p+key)
}

func (s *prefixed) Set(ctx context.Context, key string, v []byte, ttl time.Duration) error {
	return s.next.Set(ctx, s.p+key, v, ttl)
}
