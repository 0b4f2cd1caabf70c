//go:build js && wasm

// Package kvbind adapts a Workers KV binding to kvstore.Store.
package kvbind

import (
	"context"
	"fmt"
	"time"

	"github.com/syumai/workers/cloudflare"

	"example.com/larkspur/internal/kvstore"
)

// jsNull is how syscall/js renders a JavaScript null as a Go string, which
// is what the binding returns for a missing key.
const jsNull = "<null>"

// Namespace is a kvstore.Store over one KV binding. The binding is resolved
// on every call because the runtime environment only exists while a request
// or scheduled event is being handled.
type Namespace struct {
	binding string
}

// Open returns a Namespace for the binding named in wrangler.toml.
func Open(binding string) *Namespace { return &Namespace{binding: binding} }

// Handle returns the underlying binding for code that needs the raw API.
func (n *Namespace) Handle() (*cloudflare.KVNamespace, error) {
	ns, err := cloudflare.NewKVNamespace(n.binding)
	if err != nil {
		return nil, fmt.Errorf("kvbind: %w", err)
	}
	return ns, nil
}

// Get implements kvstore.Store.
func (n *Namespace) Get(_ context.Context, key string, opts ...kvstore.Option) ([]byte, error) {
	ns, err := n.Handle()
	if err != nil {
		return nil, err
	}
	o := kvstore.Resolve(opts...)
	var gopts *cloudflare.KVNamespaceGetOptions
	if o.CacheTTL > 0 {
		gopts = &cloudflare.KVNamespaceGetOptions{CacheTTL: int(o.CacheTTL / time.Second)}
	}
	v, err := ns.GetString(key, gopts)
	if err != nil {
		return nil, fmt.Errorf("kvbind: get %s: %w", key, err)
	}
	if v == jsNull {
		return nil, kvstore.ErrNotFound
	}
	return []byte(v), nil
}

// Put implements kvstore.Store. Metadata is not supported by the binding
// wrapper and is dropped.
func (n *Namespace) Put(_ context.Context, key string, value []byte, opts ...kvstore.Option) error {
	ns, err := n.Handle()
	if err != nil {
		return err
	}
	o := kvstore.Resolve(opts...)
	popts := &cloudflare.KVNamespacePutOptions{}
	if o.TTL > 0 {
		popts.ExpirationTTL = int(o.TTL.Seconds())
	}
	if !o.ExpiresAt.IsZero() {
		popts.Expiration = int(o.ExpiresAt.Unix())
	}
	if err := ns.PutString(key, string(value), popts); err != nil {
		return fmt.Errorf("kvbind: put %s: %w", key, err)
	}
	return nil
}

// Delete implements kvstore.Store.
func (n *Namespace) Delete(_ context.Context, key string) error {
	ns, err := n.Handle()
	if err != nil {
		return err
	}
	return ns.Delete(key)
}

// List implements kvstore.Store.
func (n *Namespace) List(_ context.Context, prefix string, opts ...kvstore.Option) (kvstore.Page, error) {
	ns, err := n.Handle()
	if err != nil {
		return kvstore.Page{}, err
	}
	o := kvstore.Resolve(opts...)
	res, err := ns.List(&cloudflare.KVNamespaceListOptions{Prefix: prefix, Limit: o.Limit, Cursor: o.Cursor})
	if err != nil {
		return kvstore.Page{}, fmt.Errorf("kvbind: list %s: %w", prefix, err)
	}
	page := kvstore.Page{Cursor: res.Cursor, Complete: res.ListComplete}
	for _, k := range res.Keys {
		ki := kvstore.KeyInfo{Name: k.Name}
		if k.Expiration > 0 {
			ki.Expiration = time.Unix(int64(k.Expiration), 0)
		}
		page.Keys = append(page.Keys, ki)
	}
	return page, nil
}
