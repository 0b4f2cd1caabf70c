//go:build js && wasm

// Package edgekv holds the pieces the Worker's stores share: a base struct
// with the namespace, key prefix and lifetime, JSON helpers and a
// read-through cache.
package edgekv

import (
	"context"
	"encoding/json"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// Namespace is the binding type, re-exported so stores need not import the SDK.
type Namespace = kv.Namespace

// ListOptions mirrors the SDK's list options.
type ListOptions kv.ListOptions

// Missing is what GetString returns for a key that does not exist: the
// JavaScript null rendered by syscall/js.
const Missing = "<null>"

// opTimeout bounds each binding call.
const opTimeout = 5 * time.Second

// Open binds the namespace named in wrangler.toml.
func Open(binding string) (*Namespace, error) {
	return kv.NewNamespace(binding)
}

// Base is embedded by the edge stores.
type Base struct {
	NS     *Namespace
	Prefix string
	Life   time.Duration
}

// Key returns the full key of id.
func (b Base) Key(id string) string { return b.Prefix + id }

// putOptions converts a lifetime to binding options; zero means no expiry.
func putOptions(ttl time.Duration) *kv.PutOptions {
	if ttl <= 0 {
		return nil
	}
	return &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())}
}

// call runs fn, giving up when ctx or the per-call timeout ends first.
func call(ctx context.Context, fn func() error) error {
	ctx, cancel := context.WithTimeout(ctx, opTimeout)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- fn() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// GetString returns the raw value of key and whether it existed.
func (b Base) GetString(ctx context.Context, key string) (string, bool, error) {
	var raw string
	err := call(ctx, func() error {
		var err error
		raw, err = b.NS.GetString(key, nil)
		return err
	})
	if err != nil {
		return "", false, err
	}
	if raw == Missing {
		return "", false, nil
	}
	return raw, true, nil
}

// GetJSON decodes the value of key into dst and reports whether it existed.
func (b Base) GetJSON(ctx context.Context, key string, dst any) (bool, error) {
	raw, ok, err := b.GetString(ctx, key)
	if err != nil || !ok {
		return false, err
	}
	return true, json.Unmarshal([]byte(raw), dst)
}

// PutJSON stores v under key for the store's lifetime.
func (b Base) PutJSON(ctx context.Context, key string, v any) error {
	return b.PutJSONFor(ctx, key, v, b.Life)
}

// PutJSONFor stores v under key for ttl.
func (b Base) PutJSONFor(ctx context.Context, key string, v any, ttl time.Duration) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return call(ctx, func() error {
		return b.NS.PutString(key, string(raw), putOptions(ttl))
	})
}

// Delete removes key.
func (b Base) Delete(ctx context.Context, key string) error {
	return call(ctx, func() error { return b.NS.Delete(key) })
}

// List returns one page of keys.
func (b Base) List(ctx context.Context, opts ListOptions) (*kv.ListResult, error) {
	o := kv.ListOptions(opts)
	var res *kv.ListResult
	err := call(ctx, func() error {
		var err error
		res, err = b.NS.List(&o)
		return err
	})
	return res, err
}
