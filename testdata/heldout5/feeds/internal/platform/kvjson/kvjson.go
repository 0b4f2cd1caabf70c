// Package kvjson has small generic helpers for JSON values in KV.
package kvjson

import (
	"context"
	"encoding/json"
	"fmt"

	"example.com/feeds/internal/kv"
)

// Getter is the read half of kv.Store.
type Getter interface {
	Get(ctx context.Context, key string) ([]byte, error)
}

// Putter is the write half of kv.Store.
type Putter interface {
	Put(ctx context.Context, key string, value []byte, opts kv.PutOptions) error
}

// GetJSON decodes the value at key into a T. found is false when the key does
// not exist; a missing key is not an error.
func GetJSON[T any](ctx context.Context, g Getter, key string) (v T, found bool, err error) {
	raw, err := g.Get(ctx, key)
	if kv.IsNotFound(err) {
		return v, false, nil
	}
	if err != nil {
		return v, false, err
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return v, false, fmt.Errorf("kvjson: decode %q: %w", key, err)
	}
	return v, true, nil
}

// PutJSON encodes v and writes it under key.
func PutJSON[T any](ctx context.Context, p Putter, key string, v T, opts kv.PutOptions) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("kvjson: encode %q: %w", key, err)
	}
	return p.Put(ctx, key, raw, opts)
}
