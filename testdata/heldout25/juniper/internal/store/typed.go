package store

import (
	"context"
	"fmt"

	"example.com/juniper/internal/codec"
)

// Store is a typed view over a Raw namespace. Keys are any string-like type so
// callers can keep their identifiers distinct.
type Store[K ~string, V any] interface {
	Get(ctx context.Context, key K) (V, bool, error)
	Put(ctx context.Context, key K, v V, opts ...PutOption) error
	Delete(ctx context.Context, key K) error
}

type typed[K ~string, V any, C codec.Codec[V]] struct {
	raw    Raw
	codec  C
	prefix string
}

var _ Store[string, int] = (*typed[string, int, codec.Int])(nil)

// NewTyped wraps raw with codec. An optional prefix is prepended to every key.
func NewTyped[K ~string, V any, C codec.Codec[V]](raw Raw, c C, prefix string) Store[K, V] {
	return &typed[K, V, C]{raw: raw, codec: c, prefix: prefix}
}

func (t *typed[K, V, C]) key(k K) string { return t.prefix + string(k) }

func (t *typed[K, V, C]) Get(ctx context.Context, key K) (V, bool, error) {
	var zero V
	b, ok, err := t.raw.Get(ctx, t.key(key))
	if err != nil || !ok {
		return zero, ok, err
	}
	v, err := t.codec.Decode(b)
	if err != nil {
		return zero, false, fmt.Errorf("store: %s: %w", t.key(key), err)
	}
	return v, true, nil
}

func (t *typed[K, V, C]) Put(ctx context.Context, key K, v V, opts ...PutOption) error {
	b, err := t.codec.Encode(v)
	if err != nil {
		return err
	}
	return t.raw.Put(ctx, t.key(key), b, opts...)
}

func (t *typed[K, V, C]) Delete(ctx context.Context, key K) error {
	return t.raw.Delete(ctx, t.key(key))
}
