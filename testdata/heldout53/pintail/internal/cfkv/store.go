package cfkv

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Store is the port domain packages depend on for typed, keyed state.
type Store[K ~string, V any] interface {
	Get(ctx context.Context, key K) (V, error)
	Put(ctx context.Context, key K, v V, ttl time.Duration) error
}

// JSONStore keeps JSON-encoded values under prefix+key.
type JSONStore[K ~string, V any] struct {
	ns     Namespace
	prefix string
}

// NewJSONStore returns a Store backed by ns.
func NewJSONStore[K ~string, V any](ns Namespace, prefix string) *JSONStore[K, V] {
	return &JSONStore[K, V]{ns: ns, prefix: prefix}
}

var _ Store[string, int] = (*JSONStore[string, int])(nil)

// Get decodes the value under key.
func (s *JSONStore[K, V]) Get(ctx context.Context, key K) (V, error) {
	var v V
	raw, err := s.ns.Get(ctx, s.prefix+string(key))
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return v, fmt.Errorf("decode %s%s: %w", s.prefix, key, err)
	}
	return v, nil
}

// Put encodes v under key. KV refuses lifetimes under a minute, so shorter
// ones are raised to a minute.
func (s *JSONStore[K, V]) Put(ctx context.Context, key K, v V, ttl time.Duration) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if ttl != 0 && ttl < time.Minute {
		ttl = time.Minute
	}
	return s.ns.Put(ctx, s.prefix+string(key), raw, ttl)
}

// Delete removes key.
func (s *JSONStore[K, V]) Delete(ctx context.Context, key K) error {
	return s.ns.Delete(ctx, s.prefix+string(key))
}

// As recovers a typed value from an any, accepting both T and *T.
func As[T any](v any) (T, bool) {
	switch x := v.(type) {
	case T:
		return x, true
	case *T:
		if x != nil {
			return *x, true
		}
	}
	var zero T
	return zero, false
}

// IsNotFound reports whether err means the key was missing.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
