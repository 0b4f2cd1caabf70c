package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
)

// Codec converts values to and from their stored byte form.
type Codec[V any] interface {
	Encode(V) ([]byte, error)
	Decode([]byte) (V, error)
}

// JSONCodec stores values as JSON documents.
type JSONCodec[V any] struct{}

func (JSONCodec[V]) Encode(v V) ([]byte, error) { return json.Marshal(v) }

func (JSONCodec[V]) Decode(b []byte) (V, error) {
	var v V
	err := json.Unmarshal(b, &v)
	return v, err
}

// StringCodec stores strings verbatim.
type StringCodec struct{}

func (StringCodec) Encode(s string) ([]byte, error) { return []byte(s), nil }
func (StringCodec) Decode(b []byte) (string, error) { return string(b), nil }

// IntCodec stores integers in decimal.
type IntCodec struct{}

func (IntCodec) Encode(n int) ([]byte, error) { return []byte(strconv.Itoa(n)), nil }
func (IntCodec) Decode(b []byte) (int, error) { return strconv.Atoi(string(b)) }

// Store is a typed view over a Blob keyed by a string-like key type.
type Store[K ~string, V any] interface {
	Get(ctx context.Context, key K) (V, error)
	Put(ctx context.Context, key K, value V, opts ...PutOption) error
	Delete(ctx context.Context, key K) error
	Scan(ctx context.Context, prefix K, cursor string, limit int) (Page, error)
}

type typed[K ~string, V any, C Codec[V]] struct {
	raw   Blob
	codec C
}

var _ Store[string, int] = (*typed[string, int, IntCodec])(nil)

// NewTyped builds a Store over raw using codec for (de)serialisation.
func NewTyped[K ~string, V any, C Codec[V]](raw Blob, codec C) Store[K, V] {
	return &typed[K, V, C]{raw: raw, codec: codec}
}

func (t *typed[K, V, C]) Get(ctx context.Context, key K) (V, error) {
	var zero V
	b, err := t.raw.Get(ctx, string(key))
	if err != nil {
		return zero, err
	}
	v, err := t.codec.Decode(b)
	if err != nil {
		return zero, fmt.Errorf("decode %q: %w", string(key), err)
	}
	return v, nil
}

func (t *typed[K, V, C]) Put(ctx context.Context, key K, value V, opts ...PutOption) error {
	b, err := t.codec.Encode(value)
	if err != nil {
		return fmt.Errorf("encode %q: %w", string(key), err)
	}
	return t.raw.Put(ctx, string(key), b, opts...)
}

func (t *typed[K, V, C]) Delete(ctx context.Context, key K) error {
	return t.raw.Delete(ctx, string(key))
}

func (t *typed[K, V, C]) Scan(ctx context.Context, prefix K, cursor string, limit int) (Page, error) {
	return t.raw.List(ctx, string(prefix), cursor, limit)
}
