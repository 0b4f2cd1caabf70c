package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
)

// ErrSkip, returned by an Update callback, leaves the value untouched.
var ErrSkip = errors.New("storage: skip write")

// GetJSON reads key and decodes it into a T. A missing key yields ErrNotFound.
func GetJSON[T any](ctx context.Context, r Reader, key string) (T, error) {
	var v T
	raw, err := r.Get(ctx, key)
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return v, fmt.Errorf("storage: decode %s: %w", key, err)
	}
	return v, nil
}

// PutJSON encodes v and writes it under key.
func PutJSON(ctx context.Context, w Writer, key string, v any, opts PutOptions) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("storage: encode %s: %w", key, err)
	}
	return w.Put(ctx, key, b, opts)
}

// Update loads key (or a zero T), passes it to fn and stores the result.
func Update[T any](ctx context.Context, rw ReadWriter, key string, opts PutOptions, fn func(cur *T) error) error {
	var cur T
	raw, err := rw.Get(ctx, key)
	switch {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		return err
	default:
		if err := json.Unmarshal(raw, &cur); err != nil {
			return fmt.Errorf("storage: decode %s: %w", key, err)
		}
	}
	if err := fn(&cur); err != nil {
		if errors.Is(err, ErrSkip) {
			return nil
		}
		return err
	}
	b, err := json.Marshal(cur)
	if err != nil {
		return fmt.Errorf("storage: encode %s: %w", key, err)
	}
	return rw.Put(ctx, key, b, opts) // EXPECT kvrace
}
