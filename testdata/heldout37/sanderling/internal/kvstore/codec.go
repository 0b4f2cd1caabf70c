package kvstore

import (
	"context"
	"encoding/json"
)

// Codec turns a T into a KV value and back.
type Codec[T any] interface {
	Encode(v T) ([]byte, error)
	Decode(b []byte) (T, error)
}

// JSON encodes values as JSON.
type JSON[T any] struct{}

func (JSON[T]) Encode(v T) ([]byte, error) { return json.Marshal(v) }

func (JSON[T]) Decode(b []byte) (T, error) {
	var v T
	err := json.Unmarshal(b, &v)
	return v, err
}

// Typed stores values of one type in a Namespace through a Codec.
type Typed[T any] struct {
	ns    Namespace
	codec Codec[T]
}

// NewTyped returns a Typed store over ns.
func NewTyped[T any](ns Namespace, c Codec[T]) *Typed[T] {
	return &Typed[T]{ns: ns, codec: c}
}

// Load reads and decodes the value at k.
func (t *Typed[T]) Load(ctx context.Context, k Key) (T, error) {
	var zero T
	b, err := t.ns.Get(ctx, k)
	if err != nil {
		return zero, err
	}
	return t.codec.Decode(b)
}

// Save encodes v and writes it at k.
func (t *Typed[T]) Save(ctx context.Context, k Key, v T, o PutOptions) error {
	b, err := t.codec.Encode(v)
	if err != nil {
		return err
	}
	return t.ns.Put(ctx, k, b, o)
}

// Remove deletes k.
func (t *Typed[T]) Remove(ctx context.Context, k Key) error { return t.ns.Delete(ctx, k) }
