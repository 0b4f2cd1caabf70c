// Package typed stores Go values in a storage.Store through a Codec.
package typed

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"example.com/boxoffice/internal/kvkey"
	"example.com/boxoffice/internal/storage"
)

// Codec converts values to and from stored bytes.
type Codec[T any] interface {
	Encode(T) ([]byte, error)
	Decode([]byte) (T, error)
}

// JSON is a Codec using encoding/json.
type JSON[T any] struct{}

// Encode implements Codec.
func (JSON[T]) Encode(v T) ([]byte, error) { return json.Marshal(v) }

// Decode implements Codec.
func (JSON[T]) Decode(b []byte) (T, error) {
	var v T
	err := json.Unmarshal(b, &v)
	return v, err
}

// MinTTL is the shortest expiry Store will pass on; shorter ones are raised.
const MinTTL = time.Minute

// Store keeps values of type T under a key prefix.
type Store[T any] struct {
	s      storage.Store
	codec  Codec[T]
	prefix kvkey.Key
}

// New returns a Store for values under prefix.
func New[T any](s storage.Store, prefix kvkey.Key, codec Codec[T]) *Store[T] {
	if codec == nil {
		codec = JSON[T]{}
	}
	return &Store[T]{s: s, codec: codec, prefix: prefix}
}

// Key returns the full key for id.
func (t *Store[T]) Key(id string) string { return t.prefix.Child(id).String() }

// Get loads the value stored for id. Misses return storage.ErrNotFound.
func (t *Store[T]) Get(ctx context.Context, id string) (T, error) {
	var zero T
	key := t.Key(id)
	b, err := t.s.Get(ctx, key)
	if err != nil {
		return zero, err
	}
	v, err := t.codec.Decode(b)
	if err != nil {
		return zero, fmt.Errorf("typed: decode %s: %w", key, err)
	}
	return v, nil
}

// Lookup is Get with the miss folded into ok.
func (t *Store[T]) Lookup(ctx context.Context, id string) (v T, ok bool, err error) {
	v, err = t.Get(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return v, false, nil
	}
	return v, err == nil, err
}

// Put stores v for id. A positive ttl shorter than MinTTL is raised to it.
func (t *Store[T]) Put(ctx context.Context, id string, v T, ttl time.Duration) error {
	b, err := t.codec.Encode(v)
	if err != nil {
		return err
	}
	var opts []storage.PutOption
	if ttl > 0 {
		if ttl < MinTTL {
			ttl = MinTTL
		}
		opts = append(opts, storage.WithTTL(ttl))
	}
	return t.s.Put(ctx, t.Key(id), b, opts...)
}

// Delete removes the value for id.
func (t *Store[T]) Delete(ctx context.Context, id string) error {
	return t.s.Delete(ctx, t.Key(id))
}
