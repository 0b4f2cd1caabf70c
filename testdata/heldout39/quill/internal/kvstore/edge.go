//go:build js && wasm

package kvstore

import (
	"context"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// nullValue is what GetString returns for a key that does not exist: the
// syscall/js rendering of a JavaScript null.
const nullValue = "<null>"

// Edge is a namespace reached through a Worker binding.
type Edge struct {
	ns       *kv.Namespace
	cacheTTL int
}

// OpenEdge binds to the namespace named binding in wrangler.toml. cacheTTL is
// how long reads may be cached in the colo.
func OpenEdge(binding string, cacheTTL time.Duration) (*Edge, error) {
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		return nil, &OpError{Op: "bind", Key: binding, Err: err}
	}
	return &Edge{ns: ns, cacheTTL: int(cacheTTL.Seconds())}, nil
}

// Namespace exposes the binding itself.
func (e *Edge) Namespace() *kv.Namespace { return e.ns }

func (e *Edge) getOptions() *kv.GetOptions {
	if e.cacheTTL < 30 {
		return nil
	}
	return &kv.GetOptions{CacheTTL: e.cacheTTL}
}

// Get reads key.
func (e *Edge) Get(_ context.Context, key string) (string, bool, error) {
	v, err := e.ns.GetString(key, e.getOptions())
	if err != nil {
		return "", false, &OpError{Op: "get", Key: key, Err: err}
	}
	if v == nullValue {
		return "", false, nil
	}
	return v, true, nil
}

// Put writes key with a relative lifetime.
func (e *Edge) Put(_ context.Context, key, value string, ttl time.Duration) error {
	var opts *kv.PutOptions
	if ttl > 0 {
		opts = &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())}
	}
	if err := e.ns.PutString(key, value, opts); err != nil {
		return &OpError{Op: "put", Key: key, Err: err}
	}
	return nil
}

// Delete removes key.
func (e *Edge) Delete(_ context.Context, key string) error {
	if err := e.ns.Delete(key); err != nil {
		return &OpError{Op: "delete", Key: key, Err: err}
	}
	return nil
}

// List returns one page.
func (e *Edge) List(_ context.Context, prefix, cursor string, limit int) (Page, error) {
	res, err := e.ns.List(&kv.ListOptions{Prefix: prefix, Cursor: cursor, Limit: min(limit, 1000)})
	if err != nil {
		return Page{}, &OpError{Op: "list", Key: prefix, Err: err}
	}
	out := Page{Cursor: res.Cursor, Complete: res.ListComplete}
	for _, k := range res.Keys {
		out.Keys = append(out.Keys, k.Name)
	}
	return out, nil
}
