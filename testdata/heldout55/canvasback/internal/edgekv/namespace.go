//go:build js && wasm

// Package edgekv is the Worker's thin layer over the Workers KV binding. The
// SDK namespace is embedded, so callers use GetString, PutString, Delete and
// List directly and reach for the helpers here only when they want them.
package edgekv

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/syumai/workers/cloudflare"
)

// Aliases so domain packages need not import the SDK for option structs.
type (
	KV         = cloudflare.KVNamespace
	PutOptions = cloudflare.KVNamespacePutOptions
	GetOptions = cloudflare.KVNamespaceGetOptions
	ListOpts   = cloudflare.KVNamespaceListOptions
	ListResult = cloudflare.KVNamespaceListResult
)

// Null is what the binding hands back through syscall/js for a missing key.
const Null = "<null>"

// ErrNotFound is returned by Lookup-style helpers for a missing key.
var ErrNotFound = errors.New("edgekv: not found")

// Namespace is a KV binding plus the key prefix this deployment owns.
type Namespace struct {
	*cloudflare.KVNamespace
	prefix string
	name   string
}

// Open binds the KV namespace named binding from the Worker environment.
func Open(ctx context.Context, binding, prefix string) (*Namespace, error) {
	ns, err := cloudflare.NewKVNamespace(ctx, binding)
	if err != nil {
		return nil, fmt.Errorf("edgekv: bind %s: %w", binding, err)
	}
	return &Namespace{KVNamespace: ns, prefix: prefix, name: binding}, nil
}

// Key joins the namespace prefix, a kind and an id.
func (n *Namespace) Key(kind, id string) string { return n.prefix + kind + ":" + id }

// Prefix returns the key prefix for kind, for List.
func (n *Namespace) Prefix(kind string) string { return n.prefix + kind + ":" }

// Name is the binding name, for logs.
func (n *Namespace) Name() string { return n.name }

// Lookup reads key and reports whether it exists.
func (n *Namespace) Lookup(key string) (string, bool, error) {
	v, err := n.GetString(key, nil)
	if err != nil {
		return "", false, err
	}
	if v == Null {
		return "", false, nil
	}
	return v, true, nil
}

// MustLookup is Lookup with ErrNotFound for a miss.
func (n *Namespace) MustLookup(key string) (string, error) {
	v, ok, err := n.Lookup(key)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", ErrNotFound
	}
	return v, nil
}

// PutTTL writes val under key for ttl.
func (n *Namespace) PutTTL(key, val string, ttl time.Duration) error {
	return n.PutString(key, val, &PutOptions{ExpirationTTL: int(ttl.Seconds())})
}

// PutCache writes a cache entry. Short lifetimes are raised to KV's floor.
func (n *Namespace) PutCache(key, val string, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return n.PutString(key, val, &PutOptions{ExpirationTTL: int(ttl / time.Second)})
}

// Update rewrites key with fn applied to the current value ("" when absent).
func (n *Namespace) Update(key string, ttl time.Duration, fn func(old string) (string, error)) error {
	old, _, err := n.Lookup(key)
	if err != nil {
		return err
	}
	next, err := fn(old)
	if err != nil {
		return err
	}
	return n.PutString(key, next, &PutOptions{ExpirationTTL: int(ttl.Seconds())}) // EXPECT kvrace
}

// Forget deletes key. Deleting a missing key is not an error.
func (n *Namespace) Forget(key string) error { return n.Delete(key) }
