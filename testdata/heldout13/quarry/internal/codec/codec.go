// Package codec provides typed access to kvstore values.
package codec

import (
	"bytes"
	"context"
	"encoding/gob"
	"encoding/json"
	"fmt"

	"example.com/quarry/internal/kvstore"
)

// Codec converts values of T to and from bytes.
type Codec[T any] interface {
	Encode(T) ([]byte, error)
	Decode([]byte) (T, error)
}

// JSON is the default codec.
type JSON[T any] struct{}

func (JSON[T]) Encode(v T) ([]byte, error) { return json.Marshal(v) }

func (JSON[T]) Decode(b []byte) (T, error) {
	var v T
	err := json.Unmarshal(b, &v)
	return v, err
}

// Gob encodes with encoding/gob; used for records that carry maps of structs.
type Gob[T any] struct{}

func (Gob[T]) Encode(v T) ([]byte, error) {
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func (Gob[T]) Decode(b []byte) (T, error) {
	var v T
	err := gob.NewDecoder(bytes.NewReader(b)).Decode(&v)
	return v, err
}

// Load reads key and decodes it as JSON. ok is false when the key is missing.
func Load[T any](ctx context.Context, st kvstore.Store, key string) (T, bool, error) {
	return LoadWith[T](ctx, st, key, JSON[T]{})
}

// LoadWith is Load with an explicit codec.
func LoadWith[T any](ctx context.Context, st kvstore.Store, key string, c Codec[T]) (T, bool, error) {
	var zero T
	raw, err := st.Get(ctx, key)
	if kvstore.IsNotFound(err) {
		return zero, false, nil
	}
	if err != nil {
		return zero, false, err
	}
	v, err := c.Decode(raw)
	if err != nil {
		return zero, false, fmt.Errorf("codec: decode %q: %w", key, err)
	}
	return v, true, nil
}

// Save encodes v as JSON and writes it under key.
func Save[T any](ctx context.Context, st kvstore.Store, key string, v T, opts kvstore.PutOptions) error {
	return SaveWith(ctx, st, key, v, JSON[T]{}, opts)
}

// SaveWith is Save with an explicit codec.
func SaveWith[T any](ctx context.Context, st kvstore.Store, key string, v T, c Codec[T], opts kvstore.PutOptions) error {
	b, err := c.Encode(v)
	if err != nil {
		return fmt.Errorf("codec: encode %q: %w", key, err)
	}
	return st.Put(ctx, key, b, opts)
}
