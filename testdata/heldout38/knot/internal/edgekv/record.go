//go:build js && wasm

package edgekv

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Record is a domain value that knows where it lives and how long it lives.
type Record interface {
	Key() string
	TTL() time.Duration
}

// Save stores rec as JSON under rec.Key() for rec.TTL().
func Save[T Record](ctx context.Context, s *Store, rec T) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("edgekv: encode %s: %w", rec.Key(), err)
	}
	return s.Put(ctx, rec.Key(), string(b), rec.TTL())
}

// Load reads the JSON value stored under key into a T.
func Load[T Record](ctx context.Context, s *Store, key string) (T, error) {
	var out T
	raw, err := s.Get(ctx, key)
	if err != nil {
		return out, err
	}
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		return out, fmt.Errorf("edgekv: decode %s: %w", key, err)
	}
	return out, nil
}

// LoadOr is Load that returns fallback when the key is missing.
func LoadOr[T Record](ctx context.Context, s *Store, key string, fallback T) (T, error) {
	v, err := Load[T](ctx, s, key)
	if errors.Is(err, ErrNotFound) {
		return fallback, nil
	}
	return v, err
}

// Forget deletes rec's key.
func Forget[T Record](ctx context.Context, s *Store, rec T) error {
	return s.Delete(ctx, rec.Key())
}
