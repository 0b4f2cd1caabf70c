package kvx

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Keyed is a record that knows its own key.
type Keyed interface {
	Key() string
}

// Save stores v as JSON under v.Key() with v.TTL().
func Save[T interface {
	Key() string
	TTL() time.Duration
}](ctx context.Context, s *Store, v T) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", v.Key(), err)
	}
	return s.Put(ctx, v.Key(), raw, v.TTL())
}

// Load reads the JSON record stored under key.
func Load[T Keyed](ctx context.Context, s *Store, key fmt.Stringer) (T, error) {
	var v T
	raw, err := s.Get(ctx, key.String())
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return v, fmt.Errorf("decode %s: %w", key, err)
	}
	return v, nil
}

// LoadOr reads the record under key, or returns def when the key is missing.
func LoadOr[T Keyed](ctx context.Context, s *Store, key fmt.Stringer, def T) (T, error) {
	v, err := Load[T](ctx, s, key)
	if IsNotFound(err) {
		return def, nil
	}
	return v, err
}
