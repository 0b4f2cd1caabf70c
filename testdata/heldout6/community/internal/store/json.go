package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
)

// GetJSON loads key and decodes it into a T; ok reports whether it existed.
func GetJSON[T any](ctx context.Context, kv KV, key string, opts ...GetOption) (v T, ok bool, err error) {
	raw, err := kv.Get(ctx, key, opts...)
	if errors.Is(err, ErrNotFound) {
		return v, false, nil
	}
	if err != nil {
		return v, false, err
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return v, false, fmt.Errorf("decode %s: %w", key, err)
	}
	return v, true, nil
}

// PutJSON encodes v and stores it under key.
func PutJSON[T any](ctx context.Context, kv KV, key string, v T, opts ...PutOption) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	return kv.Put(ctx, key, raw, opts...)
}

func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
