//go:build js && wasm

// Package edgekv wraps a Workers KV binding for the edge Worker. It turns the
// binding's null for a missing key into domain.ErrNotFound.
package edgekv

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"github.com/cityparking/nuthatch/internal/domain"
	"github.com/cityparking/nuthatch/internal/kvkeys"
)

// nullValue is how a JS null comes back through GetString.
const nullValue = "<null>"

// Namespace is one KV binding.
type Namespace struct {
	ns   *kv.Namespace
	name string
}

// Open binds the named KV namespace of the Worker environment.
func Open(binding string) (*Namespace, error) {
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		return nil, fmt.Errorf("kv binding %s: %w", binding, err)
	}
	return &Namespace{ns: ns, name: binding}, nil
}

// Raw exposes the binding for callers that need options this wrapper lacks.
func (n *Namespace) Raw() *kv.Namespace { return n.ns }

func translate(op string, key fmt.Stringer, err error) error {
	if err == nil {
		return nil
	}
	if strings.Contains(err.Error(), "429") {
		return fmt.Errorf("kv %s %s: %w", op, key, domain.ErrThrottled)
	}
	return fmt.Errorf("kv %s %s: %w", op, key, err)
}

// Get reads a value; a missing key yields domain.ErrNotFound.
func (n *Namespace) Get(key fmt.Stringer) (string, error) {
	v, err := n.ns.GetString(key.String(), nil)
	if err != nil {
		return "", translate("get", key, err)
	}
	if v == nullValue {
		return "", fmt.Errorf("kv get %s: %w", key, domain.ErrNotFound)
	}
	return v, nil
}

// GetCached reads a value that may be served from the edge cache for ttl.
func (n *Namespace) GetCached(key fmt.Stringer, ttl time.Duration) (string, error) {
	v, err := n.ns.GetString(key.String(), &kv.GetOptions{CacheTTL: int(ttl.Seconds())})
	if err != nil {
		return "", translate("get", key, err)
	}
	if v == nullValue {
		return "", fmt.Errorf("kv get %s: %w", key, domain.ErrNotFound)
	}
	return v, nil
}

// Put writes a value; a ttl of zero means no expiry.
func (n *Namespace) Put(key fmt.Stringer, value string, ttl time.Duration) error {
	var opts *kv.PutOptions
	if ttl > 0 {
		opts = &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())}
	}
	return translate("put", key, n.ns.PutString(key.String(), value, opts))
}

// PutUntil writes a value that expires at an absolute instant.
func (n *Namespace) PutUntil(key fmt.Stringer, value string, at time.Time) error {
	return translate("put", key, n.ns.PutString(key.String(), value, &kv.PutOptions{Expiration: int(at.Unix())}))
}

// Delete removes a key.
func (n *Namespace) Delete(key fmt.Stringer) error {
	return translate("delete", key, n.ns.Delete(key.String()))
}

// Page returns one page of keys under prefix.
func (n *Namespace) Page(prefix, cursor string, limit int) (*kv.ListResult, error) {
	res, err := n.ns.List(&kv.ListOptions{Prefix: prefix, Cursor: cursor, Limit: limit})
	if err != nil {
		return nil, translate("list", kvkeys.Raw(prefix), err)
	}
	return res, nil
}

// Backend adapts the namespace to the two-level cache.
func (n *Namespace) Backend() Backend { return Backend{n: n} }

// Backend implements cache.Backend over a Namespace.
type Backend struct{ n *Namespace }

// Get implements cache.Backend.
func (b Backend) Get(_ context.Context, key string) ([]byte, error) {
	v, err := b.n.Get(kvkeys.Raw(key))
	return []byte(v), err
}

// Put implements cache.Backend.
func (b Backend) Put(_ context.Context, key string, value []byte, ttl time.Duration) error {
	return b.n.Put(kvkeys.Raw(key), string(value), ttl)
}
