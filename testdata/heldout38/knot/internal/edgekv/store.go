//go:build js && wasm

// Package edgekv adapts the Workers KV binding to the rest of the edge code:
// context-aware calls, durations instead of raw seconds, and ErrNotFound for
// missing keys.
package edgekv

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"github.com/boxoffice/knot/internal/clock"
)

// ErrNotFound is returned when a key does not exist (or has expired).
var ErrNotFound = errors.New("edgekv: key not found")

// MinTTL is the shortest lifetime KV accepts.
const MinTTL = time.Minute

// null is how the binding renders a JS null through syscall/js.
const null = "<null>"

// putValue and getValue are the calls the Store makes against the binding.
// Tests replace them with in-memory versions.
var (
	putValue = realPut
	getValue = realGet
)

func realPut(ns *kv.Namespace, key, value string, opts *kv.PutOptions) error {
	return ns.PutString(key, value, opts)
}

func realGet(ns *kv.Namespace, key string, opts *kv.GetOptions) (string, error) {
	return ns.GetString(key, opts)
}

// Store is one KV namespace bound to the Worker.
type Store struct {
	ns    *kv.Namespace
	name  string
	clock clock.Clock
}

// Open binds the named KV namespace.
func Open(binding string, c clock.Clock) (*Store, error) {
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		return nil, fmt.Errorf("edgekv: open %s: %w", binding, err)
	}
	if c == nil {
		c = clock.System{}
	}
	return &Store{ns: ns, name: binding, clock: c}, nil
}

// Namespace exposes the underlying binding for callers that need List.
func (s *Store) Namespace() *kv.Namespace { return s.ns }

// Clock returns the store's time source.
func (s *Store) Clock() clock.Clock { return s.clock }

// Get reads key, returning ErrNotFound when it is absent.
func (s *Store) Get(ctx context.Context, key string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	v, err := getValue(s.ns, key, nil)
	if err != nil {
		return "", fmt.Errorf("edgekv: get %q: %w", key, err)
	}
	if v == null {
		return "", ErrNotFound
	}
	return v, nil
}

// GetCached reads key allowing the edge to serve it from cache for cacheTTL.
func (s *Store) GetCached(ctx context.Context, key string, cacheTTL time.Duration) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	v, err := getValue(s.ns, key, &kv.GetOptions{CacheTTL: int(cacheTTL.Seconds())})
	if err != nil {
		return "", fmt.Errorf("edgekv: get %q: %w", key, err)
	}
	if v == null {
		return "", ErrNotFound
	}
	return v, nil
}

// Put writes value under key. A zero ttl stores the value without expiry.
func (s *Store) Put(ctx context.Context, key, value string, ttl time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var opts *kv.PutOptions
	if ttl > 0 {
		opts = &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())}
	}
	if err := putValue(s.ns, key, value, opts); err != nil {
		return fmt.Errorf("edgekv: put %q: %w", key, err)
	}
	return nil
}

// PutAtLeast is Put with the lifetime raised to KV's minimum.
func (s *Store) PutAtLeast(ctx context.Context, key, value string, ttl time.Duration) error {
	if ttl < MinTTL {
		ttl = MinTTL
	}
	return s.Put(ctx, key, value, ttl)
}

// Delete removes key.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := s.ns.Delete(key); err != nil {
		return fmt.Errorf("edgekv: delete %q: %w", key, err)
	}
	return nil
}

// Append adds a line to a newline-separated log value.
func (s *Store) Append(ctx context.Context, key, line string, ttl time.Duration) error {
	cur, err := s.Get(ctx, key)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	if cur != "" {
		cur += "\n"
	}
	return s.Put(ctx, key, cur+line, ttl) // EXPECT kvrace
}
