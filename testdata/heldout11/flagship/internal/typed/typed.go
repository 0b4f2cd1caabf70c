// Package typed stores Go values in a storage.Store through a Codec.
package typed

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"example.com/flagship/internal/kvkey"
	"example.com/flagship/internal/storage"
)

// Codec converts values to and from bytes.
type Codec[T any] interface {
	Encode(T) ([]byte, error)
	Decode([]byte) (T, error)
}

// JSON is the default codec.
type JSON[T any] struct{}

func (JSON[T]) Encode(v T) ([]byte, error) { return json.Marshal(v) }

func (JSON[T]) Decode(b []byte) (v T, err error) { return v, json.Unmarshal(b, &v) }

// MinTTL is the shortest expiry KV accepts; shorter TTLs are raised to it.
const MinTTL = time.Minute

// Store keeps values of type T under a key prefix.
type Store[T any] struct {
	kv     storage.Store
	codec  Codec[T]
	prefix kvkey.Key
}

// New returns a typed store rooted at prefix; a nil codec means JSON.
func New[T any](kv storage.Store, prefix kvkey.Key, codec Codec[T]) *Store[T] {
	if codec == nil {
		codec = JSON[T]{}
	}
	return &Store[T]{kv: kv, codec: codec, prefix: prefix}
}

func (s *Store[T]) key(id string) string { return s.prefix.Child(id).String() }

// Get returns the value stored for id. A missing id yields storage.ErrNotFound.
func (s *Store[T]) Get(ctx context.Context, id string) (T, error) {
	b, err := s.kv.Get(ctx, s.key(id))
	if err != nil {
		var zero T
		return zero, err
	}
	v, err := s.codec.Decode(b)
	if err != nil {
		return v, fmt.Errorf("typed: decode %s: %w", s.key(id), err)
	}
	return v, nil
}

// Put stores v for id; ttl of zero keeps it forever.
func (s *Store[T]) Put(ctx context.Context, id string, v T, ttl time.Duration) error {
	b, err := s.codec.Encode(v)
	if err != nil {
		return fmt.Errorf("typed: encode %s: %w", s.key(id), err)
	}
	if ttl <= 0 {
		return s.kv.Put(ctx, s.key(id), b)
	}
	return s.kv.Put(ctx, s.key(id), b, storage.WithTTL(max(ttl, MinTTL)))
}

// Delete removes id.
func (s *Store[T]) Delete(ctx context.Context, id string) error { return s.kv.Delete(ctx, s.key(id)) }

// Update loads id, applies fn, and stores the result.
func (s *Store[T]) Update(ctx context.Context, id string, ttl time.Duration, fn func(*T) error) error {
	cur, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	if err := fn(&cur); err != nil {
		return err
	}
	return s.Put(ctx, id, cur, ttl) // EXPECT kvrace
}
