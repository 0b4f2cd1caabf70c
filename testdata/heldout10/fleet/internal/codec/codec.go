// Package codec encodes domain values for storage.
package codec

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"example.com/fleet/internal/kvstore"
)

// Codec converts T to and from bytes.
type Codec[T any] interface {
	Encode(T) ([]byte, error)
	Decode([]byte) (T, error)
}

// JSON is the default Codec.
type JSON[T any] struct{}

func (JSON[T]) Encode(v T) ([]byte, error) { return json.Marshal(v) }

func (JSON[T]) Decode(b []byte) (T, error) {
	var v T
	err := json.Unmarshal(b, &v)
	return v, err
}

// GetJSON reads key and decodes it. found is false when the key is absent;
// any other failure is returned as an error.
func GetJSON[T any](ctx context.Context, r kvstore.Reader, key string) (v T, found bool, err error) {
	raw, err := r.Get(ctx, key)
	if errors.Is(err, kvstore.ErrNotFound) {
		return v, false, nil
	}
	if err != nil {
		return v, false, err
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return v, false, fmt.Errorf("codec: decode %s: %w", key, err)
	}
	return v, true, nil
}

// PutJSON encodes v and writes it.
func PutJSON[T any](ctx context.Context, w kvstore.Writer, key string, v T, opts ...kvstore.PutOption) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("codec: encode %s: %w", key, err)
	}
	return w.Put(ctx, key, b, opts...)
}
