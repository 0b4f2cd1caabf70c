package kvstore

import (
	"context"
	"encoding/json"
	"fmt"
)

// Codec converts values to and from their stored form.
type Codec[T any] interface {
	Encode(T) ([]byte, error)
	Decode([]byte) (T, error)
}

// JSONCodec stores values as JSON.
type JSONCodec[T any] struct{}

// Encode marshals v.
func (JSONCodec[T]) Encode(v T) ([]byte, error) { return json.Marshal(v) }

// Decode unmarshals b.
func (JSONCodec[T]) Decode(b []byte) (T, error) {
	var v T
	err := json.Unmarshal(b, &v)
	return v, err
}

// Store is a typed repository over a KV namespace.
type Store[T any] struct {
	kv    KV
	codec Codec[T]
	// Key maps a domain identifier to the storage key.
	Key      func(id string) string
	defaults []PutOption
}

// StoreOption configures a Store.
type StoreOption[T any] func(*Store[T])

// WithCodec overrides the default JSON codec.
func WithCodec[T any](c Codec[T]) StoreOption[T] {
	return func(s *Store[T]) { s.codec = c }
}

// WithDefaultPut sets put options applied to every write before the
// per-call ones.
func WithDefaultPut[T any](opts ...PutOption) StoreOption[T] {
	return func(s *Store[T]) { s.defaults = append(s.defaults, opts...) }
}

// NewStore builds a Store. key must not be nil.
func NewStore[T any](kv KV, key func(id string) string, opts ...StoreOption[T]) *Store[T] {
	s := &Store[T]{kv: kv, codec: JSONCodec[T]{}, Key: key}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Get loads and decodes the value for id.
func (s *Store[T]) Get(ctx context.Context, id string) (T, error) {
	var zero T
	raw, err := s.kv.Get(ctx, s.Key(id))
	if err != nil {
		return zero, err
	}
	v, err := s.codec.Decode(raw)
	if err != nil {
		return zero, fmt.Errorf("decode %s: %w", s.Key(id), err)
	}
	return v, nil
}

// Put encodes and writes v under id.
func (s *Store[T]) Put(ctx context.Context, id string, v T, opts ...PutOption) error {
	raw, err := s.codec.Encode(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", s.Key(id), err)
	}
	all := append(append([]PutOption(nil), s.defaults...), opts...)
	return s.kv.Put(ctx, s.Key(id), raw, all...)
}

// Delete removes id.
func (s *Store[T]) Delete(ctx context.Context, id string) error {
	return s.kv.Delete(ctx, s.Key(id))
}

// Update loads the value for id, applies fn and writes the result back.
// fn receives the zero value when the key does not exist yet.
func (s *Store[T]) Update(ctx context.Context, id string, fn func(*T) error, opts ...PutOption) (T, error) {
	cur, err := s.Get(ctx, id)
	if err != nil && !IsNotFound(err) {
		return cur, err
	}
	if err := fn(&cur); err != nil {
		return cur, err
	}
	raw, err := s.codec.Encode(cur)
	if err != nil {
		return cur, err
	}
	all := append(append([]PutOption(nil), s.defaults...), opts...)
	return cur, s.kv.Put(ctx, s.Key(id), raw, all...) // EXPECT kvrace
}
