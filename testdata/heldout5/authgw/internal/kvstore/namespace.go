//go:build js && wasm

// Package kvstore adapts a Workers KV binding to kvport.Store.
package kvstore

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/authgw/internal/kvport"
)

// The binding hands back a JS null for missing keys; syscall/js renders it
// as this literal when asked for a string.
const jsNull = "<null>"

// Values above this size go through PutReader so we do not build a second
// JS string copy of them.
const streamThreshold = 64 << 10

// Namespace is a kvport.Store backed by one KV binding.
type Namespace struct {
	binding string
	ns      *kv.Namespace
}

var _ kvport.Store = (*Namespace)(nil)

// Open binds to the namespace declared as binding in wrangler.toml.
func Open(binding string) (*Namespace, error) {
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		return nil, fmt.Errorf("kvstore: open %s: %w", binding, err)
	}
	return &Namespace{binding: binding, ns: ns}, nil
}

// MustOpen is Open for wiring code.
func MustOpen(binding string) *Namespace {
	n, err := Open(binding)
	if err != nil {
		panic(err)
	}
	return n
}

func (n *Namespace) Get(ctx context.Context, key string, opts ...kvport.ReadOption) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ro := kvport.ApplyRead(opts)
	var gopts *kv.GetOptions
	if ro.CacheTTL > 0 {
		gopts = &kv.GetOptions{CacheTTL: int(ro.CacheTTL / time.Second)}
	}
	s, err := n.ns.GetString(key, gopts)
	if err != nil {
		return nil, fmt.Errorf("kv get %s/%s: %w", n.binding, key, err)
	}
	if s == jsNull {
		return nil, kvport.ErrNotFound
	}
	return []byte(s), nil
}

// Open streams a large value. Callers must already know the key exists.
func (n *Namespace) Open(ctx context.Context, key string) (io.Reader, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r, err := n.ns.GetReader(key, nil)
	if err != nil {
		return nil, fmt.Errorf("kv stream %s/%s: %w", n.binding, key, err)
	}
	return r, nil
}

func (n *Namespace) Put(ctx context.Context, key string, value []byte, opts ...kvport.WriteOption) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	po := putOptions(kvport.ApplyWrite(opts))
	var err error
	if len(value) > streamThreshold {
		err = n.ns.PutReader(key, bytes.NewReader(value), po)
	} else {
		err = n.ns.PutString(key, string(value), po)
	}
	if err != nil {
		return fmt.Errorf("kv put %s/%s: %w", n.binding, key, err)
	}
	return nil
}

func putOptions(wo kvport.WriteOptions) *kv.PutOptions {
	var po kv.PutOptions
	switch {
	case wo.TTLSeconds != 0:
		po.ExpirationTTL = wo.TTLSeconds
	case wo.TTL != 0:
		po.ExpirationTTL = int(wo.TTL / time.Second)
	}
	switch {
	case wo.ExpiresAtUnix != 0:
		po.Expiration = int(wo.ExpiresAtUnix)
	case !wo.ExpiresAt.IsZero():
		po.Expiration = int(wo.ExpiresAt.Unix())
	}
	if po == (kv.PutOptions{}) {
		return nil
	}
	return &po
}

func (n *Namespace) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := n.ns.Delete(key); err != nil {
		return fmt.Errorf("kv delete %s/%s: %w", n.binding, key, err)
	}
	return nil
}

func (n *Namespace) List(ctx context.Context, q kvport.ListQuery) (kvport.Page, error) {
	if err := ctx.Err(); err != nil {
		return kvport.Page{}, err
	}
	res, err := n.ns.List(&kv.ListOptions{Prefix: q.Prefix, Cursor: q.Cursor, Limit: q.Limit})
	if err != nil {
		return kvport.Page{}, fmt.Errorf("kv list %s/%q: %w", n.binding, q.Prefix, err)
	}
	page := kvport.Page{
		Keys:     make([]kvport.Key, 0, len(res.Keys)),
		Cursor:   res.Cursor,
		Complete: res.ListComplete,
	}
	for _, k := range res.Keys {
		page.Keys = append(page.Keys, kvport.Key{Name: k.Name, Expiration: int64(k.Expiration)})
	}
	return page, nil
}
