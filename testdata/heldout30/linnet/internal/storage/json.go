package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
)

// GetJSON reads key and decodes it into a T.
func GetJSON[T any](ctx context.Context, s Store, key string) (T, error) {
	var v T
	raw, err := s.Get(ctx, key)
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return v, fmt.Errorf("storage: decode %s: %w", key, err)
	}
	return v, nil
}

// PutJSON encodes v and writes it under key.
func PutJSON[T any](ctx context.Context, s Store, key string, v T, opts ...PutOption) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("storage: encode %s: %w", key, err)
	}
	return s.Put(ctx, key, raw, opts...)
}

// ErrSkip tells Update that the mutator decided no write is needed.
var ErrSkip = errors.New("storage: skip write")

// Update loads the document at key (a zero T when it does not exist yet),
// lets fn change it and writes the result back.
func Update[T any](ctx context.Context, s Store, key string, fn func(*T) error, opts ...PutOption) error {
	doc, err := GetJSON[T](ctx, s, key)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	if err := fn(&doc); errors.Is(err, ErrSkip) {
		return nil
	} else if err != nil {
		return err
	}
	return PutJSON(ctx, s, key, doc, opts...)
}
