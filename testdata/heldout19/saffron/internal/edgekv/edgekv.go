//go:build js && wasm

// Package edgekv is a thin, fluent client over a Workers KV binding for code
// that talks to KV directly rather than through the storage port.
package edgekv

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// Client wraps one namespace.
type Client struct {
	ns   *kv.Namespace
	name string
}

// Open resolves binding in the current runtime environment.
func Open(binding string) (*Client, error) {
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		return nil, err
	}
	return &Client{ns: ns, name: binding}, nil
}

// Wrap returns a Client for an already opened namespace.
func Wrap(ns *kv.Namespace, name string) *Client { return &Client{ns: ns, name: name} }

// WriteOp accumulates one write.
type WriteOp struct {
	c     *Client
	key   string
	value string
	ttl   time.Duration
	err   error
}

// Write starts a write of key.
func (c *Client) Write(key string) *WriteOp { return &WriteOp{c: c, key: key} }

// Value sets a string value.
func (w *WriteOp) Value(v string) *WriteOp {
	w.value = v
	return w
}

// JSON sets the JSON encoding of v as the value.
func (w *WriteOp) JSON(v any) *WriteOp {
	b, err := json.Marshal(v)
	if err != nil {
		w.err = fmt.Errorf("edgekv: encode %s: %w", w.key, err)
		return w
	}
	w.value = string(b)
	return w
}

// TTL expires the value d from now.
func (w *WriteOp) TTL(d time.Duration) *WriteOp {
	w.ttl = d
	return w
}

// Do performs the write.
func (w *WriteOp) Do(ctx context.Context) error {
	if w.err != nil {
		return w.err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	opts := &kv.PutOptions{}
	if w.ttl > 0 {
		opts.ExpirationTTL = int(w.ttl.Seconds())
	}
	if err := w.c.ns.PutString(w.key, w.value, opts); err != nil {
		return fmt.Errorf("edgekv %s: put %q: %w", w.c.name, w.key, err)
	}
	return nil
}

// Text returns the string stored under key and whether it exists.
func (c *Client) Text(key string) (string, bool, error) {
	v, err := c.ns.GetString(key, nil)
	if err != nil {
		return "", false, fmt.Errorf("edgekv %s: get %q: %w", c.name, key, err)
	}
	if v == "<null>" {
		return "", false, nil
	}
	return v, true, nil
}

// Load decodes the JSON value under key into dst and reports whether the
// key was found.
func (c *Client) Load(key string, dst any) (bool, error) {
	raw, err := c.ns.GetString(key, nil)
	if err != nil {
		return false, fmt.Errorf("edgekv %s: get %q: %w", c.name, key, err)
	}
	if raw == "" { // EXPECT kvnull
		return false, nil
	}
	if err := json.Unmarshal([]byte(raw), dst); err != nil {
		return false, fmt.Errorf("edgekv %s: decode %q: %w", c.name, key, err)
	}
	return true, nil
}
