// Package typed layers encoding on top of store.Store: a Store[T] reads and
// writes T values under one key root.
package typed

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"

	"example.com/relay/internal/kvkey"
	"example.com/relay/internal/store"
)

// Codec turns T into bytes and back.
type Codec[T any] interface {
	Encode(T) ([]byte, error)
	Decode([]byte) (T, error)
}

// JSON encodes T as JSON.
type JSON[T any] struct{}

func (JSON[T]) Encode(v T) ([]byte, error) { return json.Marshal(v) }

func (JSON[T]) Decode(b []byte) (v T, err error) {
	err = json.Unmarshal(b, &v)
	return v, err
}

// Int encodes an int as decimal text.
type Int struct{}

func (Int) Encode(n int) ([]byte, error) { return []byte(strconv.Itoa(n)), nil }
func (Int) Decode(b []byte) (int, error) { return strconv.Atoi(string(b)) }

// Store reads and writes T under root.
type Store[T any] struct {
	st    store.Store
	root  kvkey.Key
	codec Codec[T]
}

// New returns a Store[T].
func New[T any](st store.Store, root kvkey.Key, codec Codec[T]) *Store[T] {
	return &Store[T]{st: st, root: root, codec: codec}
}

// Key returns the full key for id.
func (s *Store[T]) Key(id string) string { return s.root.Child(id).String() }

// Lookup returns the value for id; ok is false if there is none.
func (s *Store[T]) Lookup(ctx context.Context, id string) (v T, ok bool, err error) {
	b, err := s.st.Get(ctx, s.Key(id))
	if errors.Is(err, store.ErrNotFound) {
		return v, false, nil
	}
	if err != nil {
		return v, false, err
	}
	v, err = s.codec.Decode(b)
	return v, err == nil, err
}

// Put stores v under id.
func (s *Store[T]) Put(ctx context.Context, id string, v T, opts ...store.PutOption) error {
	b, err := s.codec.Encode(v)
	if err != nil {
		return err
	}
	return s.st.Put(ctx, s.Key(id), b, opts...)
}

// Delete removes id.
func (s *Store[T]) Delete(ctx context.Context, id string) error {
	return s.st.Delete(ctx, s.Key(id))
}

// Update loads id (the zero T if missing), applies fn and stores the result.
func (s *Store[T]) Update(ctx context.Context, id string, fn func(T) (T, error), opts ...store.PutOption) (T, error) {
	cur, _, err := s.Lookup(ctx, id)
	if err != nil {
		return cur, err
	}
	next, err := fn(cur)
	if err != nil {
		return cur, err
	}
	return next, s.Put(ctx, id, next, opts...) // EXPECT kvrace
}
