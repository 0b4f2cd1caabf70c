package kvstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Key is a typed handle on one KV key holding a JSON-encoded T.
type Key[T any] struct {
	c    *Client
	ns   Namespace
	name string
}

// NewKey binds a key name in ns to a type.
func NewKey[T any](c *Client, ns Namespace, name string) Key[T] {
	return Key[T]{c: c, ns: ns, name: name}
}

// Name returns the key name.
func (k Key[T]) Name() string { return k.name }

// Load reads and decodes the value. A missing key yields ErrNotFound.
func (k Key[T]) Load(ctx context.Context) (T, error) {
	var v T
	raw, err := k.c.Get(ctx, k.ns, k.name)
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return v, fmt.Errorf("decode %s: %w", k.name, err)
	}
	return v, nil
}

// Store encodes and writes the value.
func (k Key[T]) Store(ctx context.Context, v T, ttl time.Duration) error {
	body, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", k.name, err)
	}
	return k.c.Put(ctx, k.ns, k.name, body, ttl)
}

// Delete removes the key.
func (k Key[T]) Delete(ctx context.Context) error {
	return k.c.Delete(ctx, k.ns, k.name)
}

// Store is the port the domain packages use for typed key/value access.
type Store[K ~string, V any] interface {
	Get(ctx context.Context, key K) (V, error)
	Put(ctx context.Context, key K, v V, ttl time.Duration) error
}

// JSONStore implements Store over one namespace with a key prefix.
type JSONStore[K ~string, V any] struct {
	c      *Client
	ns     Namespace
	prefix string
}

// NewJSONStore returns a Store whose keys are prefix+key.
func NewJSONStore[K ~string, V any](c *Client, ns Namespace, prefix string) *JSONStore[K, V] {
	return &JSONStore[K, V]{c: c, ns: ns, prefix: prefix}
}

// Get implements Store.
func (s *JSONStore[K, V]) Get(ctx context.Context, key K) (V, error) {
	return NewKey[V](s.c, s.ns, s.prefix+string(key)).Load(ctx)
}

// Put implements Store.
func (s *JSONStore[K, V]) Put(ctx context.Context, key K, v V, ttl time.Duration) error {
	return NewKey[V](s.c, s.ns, s.prefix+string(key)).Store(ctx, v, ttl)
}

// Slot returns a loader and a saver that share one key. The loader reports
// found=false for a missing key.
func (c *Client) Slot(ctx context.Context, ns Namespace, key string) (load func() ([]byte, bool, error), save func(value []byte, ttl time.Duration) error) {
	load = func() ([]byte, bool, error) {
		raw, err := c.Get(ctx, ns, key)
		if errors.Is(err, ErrNotFound) {
			return nil, false, nil
		}
		return raw, err == nil, err
	}
	save = func(value []byte, ttl time.Duration) error {
		return c.Put(ctx, ns, key, value, ttl)
	}
	return load, save
}
