//go:build js && wasm

package edgekv

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Flags select how a stored entity behaves.
type Flags uint8

const (
	// Sliding extends the lifetime of an entry each time it is used.
	Sliding Flags = 1 << iota
	// Pinned stores the entry without expiration.
	Pinned
	// EdgeCached reads the entry through the edge cache.
	EdgeCached
)

// Key is a typed handle on one JSON-encoded KV entry.
type Key[T any] struct {
	ns   *Namespace
	name string
}

// NewKey returns a handle on name in ns.
func NewKey[T any](ns *Namespace, name string) Key[T] {
	return Key[T]{ns: ns, name: name}
}

// Name returns the KV key.
func (k Key[T]) Name() string { return k.name }

// Load reads and decodes the entry. It returns ErrNotFound when it is absent.
func (k Key[T]) Load(ctx context.Context) (T, error) {
	var v T
	raw, err := call(ctx, func() (string, error) {
		s, ok, err := k.ns.Get(k.name)
		if err == nil && !ok {
			return "", ErrNotFound
		}
		return s, err
	})
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		return v, fmt.Errorf("decode %s: %w", k.name, err)
	}
	return v, nil
}

// Store encodes v and writes it with ttl (zero for no expiration).
func (k Key[T]) Store(ctx context.Context, v T, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", k.name, err)
	}
	_, err = call(ctx, func() (struct{}, error) {
		return struct{}{}, k.ns.Put(k.name, string(b), ttl)
	})
	return err
}

// Drop deletes the entry.
func (k Key[T]) Drop(ctx context.Context) error {
	_, err := call(ctx, func() (struct{}, error) {
		return struct{}{}, k.ns.Delete(k.name)
	})
	return err
}

// Slot returns a loader and a saver that share one key. The loader reports
// whether the key exists; the saver writes with the given lifetime.
func (n *Namespace) Slot(ctx context.Context, key string) (load func() (string, bool, error), save func(string, time.Duration) error) {
	load = func() (string, bool, error) {
		if err := ctx.Err(); err != nil {
			return "", false, err
		}
		return n.Get(key)
	}
	save = func(v string, ttl time.Duration) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		return n.Put(key, v, ttl)
	}
	return load, save
}

// As recovers a concrete value passed around as any.
func As[T any](v any) (T, bool) {
	t, ok := v.(T)
	return t, ok
}

// Store is the port typed repositories are written against.
type Store[K ~string, V any] interface {
	Get(ctx context.Context, k K) (V, error)
	Put(ctx context.Context, k K, v V, ttl time.Duration) error
}

// kvStore implements Store on one namespace, prefixing every key.
type kvStore[K ~string, V any] struct {
	ns     *Namespace
	prefix string
}

// NewStore returns a Store that keeps JSON values under prefix in ns.
func NewStore[K ~string, V any](ns *Namespace, prefix string) Store[K, V] {
	return kvStore[K, V]{ns: ns, prefix: prefix}
}

func (s kvStore[K, V]) Get(ctx context.Context, k K) (V, error) {
	return NewKey[V](s.ns, s.prefix+string(k)).Load(ctx)
}

func (s kvStore[K, V]) Put(ctx context.Context, k K, v V, ttl time.Duration) error {
	return NewKey[V](s.ns, s.prefix+string(k)).Store(ctx, v, ttl)
}

// IsNotFound reports whether err means the key was absent.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
