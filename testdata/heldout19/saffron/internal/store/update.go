package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
)

// GetJSON decodes the value stored under key into a T. The boolean reports
// whether the key existed.
func GetJSON[T any](ctx context.Context, r Reader, key string) (T, bool, error) {
	var zero T
	b, err := r.Get(ctx, key)
	if errors.Is(err, ErrNotFound) {
		return zero, false, nil
	}
	if err != nil {
		return zero, false, fmt.Errorf("get %s: %w", key, err)
	}
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		return zero, false, fmt.Errorf("decode %s: %w", key, err)
	}
	return v, true, nil
}

// PutJSON encodes v and stores it under key.
func PutJSON[T any](ctx context.Context, w Writer, key string, v T, ttl Seconds) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	return w.Put(ctx, key, b, ttl)
}

// Update loads the JSON document at key (the zero T when absent), lets fn
// change it in place and writes the result back with ttl. Returning
// ErrNoChange from fn skips the write.
func Update[T any](ctx context.Context, rw ReadWriter, key string, ttl Seconds, fn func(cur *T) error) error {
	var cur T
	b, err := rw.Get(ctx, key)
	switch {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		return fmt.Errorf("update %s: %w", key, err)
	default:
		if err := json.Unmarshal(b, &cur); err != nil {
			return fmt.Errorf("update %s: decode: %w", key, err)
		}
	}
	if err := fn(&cur); err != nil {
		if errors.Is(err, ErrNoChange) {
			return nil
		}
		return err
	}
	out, err := json.Marshal(cur)
	if err != nil {
		return fmt.Errorf("update %s: encode: %w", key, err)
	}
	return rw.Put(ctx, key, out, ttl) // EXPECT kvrace
}
