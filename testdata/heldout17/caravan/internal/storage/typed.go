package storage

import (
	"context"
	"fmt"
	"time"

	"example.com/caravan/internal/platform/codec"
)

// Typed stores values of one type under string keys through a Codec.
type Typed[T any] struct {
	Store Store
	Codec codec.Codec[T]
}

// NewTyped returns a Typed repository for T.
func NewTyped[T any](st Store, c codec.Codec[T]) Typed[T] {
	return Typed[T]{Store: st, Codec: c}
}

// Load reads and decodes the value at key. It returns ErrNotFound for a
// missing key.
func (t Typed[T]) Load(ctx context.Context, key string) (T, error) {
	var zero T
	b, err := t.Store.Get(ctx, key)
	if err != nil {
		return zero, err
	}
	v, err := t.Codec.Decode(b)
	if err != nil {
		return zero, fmt.Errorf("decode %s: %w", key, err)
	}
	return v, nil
}

// LoadOrZero reads the value at key and returns the zero value when it cannot
// be read.
func (t Typed[T]) LoadOrZero(ctx context.Context, key string) T {
	v, err := t.Load(ctx, key)
	if err != nil {
		var zero T
		return zero
	}
	return v
}

// Save encodes v and writes it at key.
func (t Typed[T]) Save(ctx context.Context, key string, v T, ttl time.Duration) error {
	b, err := t.Codec.Encode(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	return t.Store.Put(ctx, key, b, ttl)
}

// Remove deletes the value at key.
func (t Typed[T]) Remove(ctx context.Context, key string) error {
	return t.Store.Delete(ctx, key)
}
