//go:build js && wasm

// Package kvstore adapts a Workers KV binding to the shapes the edge
// service uses: JSON values, Go durations and context deadlines.
package kvstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// absent is how syscall/js renders the JavaScript null that a KV get
// resolves to when the key does not exist.
const absent = "<null>"

// Store wraps one KV namespace binding.
type Store struct {
	ns      *kv.Namespace
	binding string
	timeout time.Duration
}

// Open binds the namespace named binding in wrangler.toml.
func Open(binding string) (*Store, error) {
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		return nil, fmt.Errorf("kvstore: open %s: %w", binding, err)
	}
	return &Store{ns: ns, binding: binding, timeout: 3 * time.Second}, nil
}

// Namespace exposes the underlying binding for callers that need options
// the Store does not model.
func (s *Store) Namespace() *kv.Namespace { return s.ns }

// Binding is the wrangler binding name.
func (s *Store) Binding() string { return s.binding }

// do runs op with the store's deadline applied on top of ctx.
func (s *Store) do(ctx context.Context, op func() error) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- op() }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		return fmt.Errorf("kvstore %s: %w", s.binding, ctx.Err())
	}
}

// Get returns the string stored under key; ok is false when there is none.
func (s *Store) Get(ctx context.Context, key string) (val string, ok bool, err error) {
	err = s.do(ctx, func() error {
		var gerr error
		val, gerr = s.ns.GetString(key, nil)
		return gerr
	})
	if err != nil {
		return "", false, err
	}
	if val == absent {
		return "", false, nil
	}
	return val, true, nil
}

// Load decodes the JSON value stored under key into dst.
func (s *Store) Load(ctx context.Context, key string, dst any) (bool, error) {
	raw, ok, err := s.Get(ctx, key)
	if err != nil || !ok {
		return false, err
	}
	if err := json.Unmarshal([]byte(raw), dst); err != nil {
		return false, fmt.Errorf("kvstore: decode %s: %w", key, err)
	}
	return true, nil
}

// PutString stores val under key. A zero ttl stores it without expiry.
func (s *Store) PutString(ctx context.Context, key, val string, ttl time.Duration) error {
	var opts *kv.PutOptions
	if ttl > 0 {
		opts = &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())}
	}
	return s.do(ctx, func() error { return s.ns.PutString(key, val, opts) })
}

// Put stores v as JSON under key.
func (s *Store) Put(ctx context.Context, key string, v any, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("kvstore: encode %s: %w", key, err)
	}
	return s.PutString(ctx, key, string(b), ttl)
}

// PutUntil stores v as JSON under key until the absolute time at.
func (s *Store) PutUntil(ctx context.Context, key string, v any, at time.Time) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("kvstore: encode %s: %w", key, err)
	}
	opts := &kv.PutOptions{Expiration: int(at.Unix())}
	return s.do(ctx, func() error { return s.ns.PutString(key, string(b), opts) })
}

// Delete removes key.
func (s *Store) Delete(ctx context.Context, key string) error {
	return s.do(ctx, func() error { return s.ns.Delete(key) })
}

// List returns one page of keys.
func (s *Store) List(ctx context.Context, opts *kv.ListOptions) (*kv.ListResult, error) {
	var res *kv.ListResult
	err := s.do(ctx, func() error {
		var lerr error
		res, lerr = s.ns.List(opts)
		return lerr
	})
	return res, err
}
