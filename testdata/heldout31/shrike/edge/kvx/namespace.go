//go:build js && wasm

// Package kvx adapts Workers KV bindings (through syumai/workers) to the
// storage ports and the kvop executor used by the rest of the worker.
package kvx

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"

	"example.com/shrike/internal/kvop"
)

// Null is what GetString returns for a missing key: syscall/js renders the
// JavaScript null as this string.
const Null = "<null>"

// MinTTL is the shortest expiry KV accepts.
const MinTTL = 60 * time.Second

// Namespace is one KV binding.
type Namespace struct{ kv *cloudflare.KVNamespace }

func Open(binding string) (*Namespace, error) {
	kv, err := cloudflare.NewKVNamespace(binding)
	if err != nil {
		return nil, fmt.Errorf("kvx: open %s: %w", binding, err)
	}
	return &Namespace{kv: kv}, nil
}

func (n *Namespace) Binding() *cloudflare.KVNamespace { return n.kv }

// Text returns the stored string exactly as the binding reports it.
func (n *Namespace) Text(key string) (string, error) {
	return n.kv.GetString(key, nil)
}

// Lookup returns the value under key and whether it exists.
func (n *Namespace) Lookup(key string) (string, bool, error) {
	v, err := n.kv.GetString(key, nil)
	if err != nil {
		return "", false, err
	}
	if v == Null {
		return "", false, nil
	}
	return v, true, nil
}

// Decode unmarshals the JSON value under key into v and reports whether the
// key existed.
func (n *Namespace) Decode(key string, v any) (bool, error) {
	s, ok, err := n.Lookup(key)
	if err != nil || !ok {
		return false, err
	}
	if err := json.Unmarshal([]byte(s), v); err != nil {
		return true, fmt.Errorf("kvx: decode %s: %w", key, err)
	}
	return true, nil
}

func (n *Namespace) Stream(key string) (io.Reader, error) {
	return n.kv.GetReader(key, nil)
}

// Put stores value under key; ttl 0 means no expiry.
func (n *Namespace) Put(key, value string, ttl time.Duration) error {
	var opts *cloudflare.KVNamespacePutOptions
	if ttl > 0 {
		opts = &cloudflare.KVNamespacePutOptions{ExpirationTTL: int(ttl.Seconds())}
	}
	return n.kv.PutString(key, value, opts)
}

func (n *Namespace) PutJSON(key string, v any, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return n.Put(key, string(b), ttl)
}

// Keep stores value for at least ttl, rounding short lifetimes up to the
// minimum KV accepts.
func (n *Namespace) Keep(key, value string, ttl time.Duration) error {
	if ttl < MinTTL {
		ttl = MinTTL
	}
	return n.kv.PutString(key, value, &cloudflare.KVNamespacePutOptions{ExpirationTTL: int(ttl / time.Second)})
}

func (n *Namespace) PutUntil(key, value string, at time.Time) error {
	return n.kv.PutString(key, value, &cloudflare.KVNamespacePutOptions{Expiration: int(at.Unix())})
}

func (n *Namespace) Delete(key string) error { return n.kv.Delete(key) }

func (n *Namespace) List(prefix, cursor string, limit int) (*cloudflare.KVNamespaceListResult, error) {
	return n.kv.List(&cloudflare.KVNamespaceListOptions{Prefix: prefix, Cursor: cursor, Limit: limit})
}

// Writer fixes a namespace, then a lifetime, and returns a put function.
func Writer(n *Namespace) func(ttl time.Duration) func(ctx context.Context, key string, v []byte) error {
	return func(ttl time.Duration) func(ctx context.Context, key string, v []byte) error {
		return func(_ context.Context, key string, v []byte) error { return n.Put(key, string(v), ttl) }
	}
}

// Exec runs kvop operations against the namespace.
func (n *Namespace) Exec() kvop.Exec {
	return func(_ context.Context, op kvop.Op) (kvop.Result, error) {
		switch op.Kind {
		case kvop.Get:
			v, err := n.kv.GetString(op.Key, nil)
			if err != nil {
				return kvop.Result{}, classify(err)
			}
			if v == Null {
				return kvop.Result{}, nil
			}
			return kvop.Result{Value: []byte(v), Found: true}, nil
		case kvop.Put:
			opts := &cloudflare.KVNamespacePutOptions{ExpirationTTL: int(op.TTL / time.Second)}
			return kvop.Result{}, classify(n.kv.PutString(op.Key, string(op.Value), opts))
		case kvop.Delete:
			return kvop.Result{}, classify(n.kv.Delete(op.Key))
		case kvop.List:
			res, err := n.kv.List(&cloudflare.KVNamespaceListOptions{Prefix: op.Prefix, Cursor: op.Cursor, Limit: op.Limit})
			if err != nil {
				return kvop.Result{}, classify(err)
			}
			out := kvop.Result{Cursor: res.Cursor, Complete: res.ListComplete}
			for _, k := range res.Keys {
				out.Keys = append(out.Keys, k.Name)
			}
			return out, nil
		}
		return kvop.Result{}, kvop.ErrUnsupported
	}
}

// classify marks rate limiting and upstream hiccups as retryable.
func classify(err error) error {
	if err != nil && (strings.Contains(err.Error(), " 429 ") || strings.Contains(err.Error(), " 503 ")) {
		return kvop.MarkRetryable(err)
	}
	return err
}
