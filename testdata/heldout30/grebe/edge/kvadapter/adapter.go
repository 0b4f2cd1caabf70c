//go:build js && wasm

// Package kvadapter implements the storage port on top of the Workers KV
// binding exposed by github.com/syumai/workers.
package kvadapter

import (
	"context"
	"fmt"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/grebe/internal/store"
)

// nullString is what the binding's GetString returns for a missing key: the
// JavaScript null rendered by syscall/js.
const nullString = "<null>"

// Adapter is a storage port backed by one KV namespace.
type Adapter struct {
	ns       *kv.Namespace
	cacheTTL int
}

var _ store.Store = (*Adapter)(nil)

// Option configures an Adapter.
type Option func(*Adapter)

// WithCacheTTL sets the edge cache lifetime, in seconds, used on reads.
func WithCacheTTL(seconds int) Option {
	return func(a *Adapter) { a.cacheTTL = seconds }
}

// Open binds to the namespace named binding in the Worker's environment.
func Open(binding string, opts ...Option) (*Adapter, error) {
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		return nil, fmt.Errorf("kvadapter: %w", err)
	}
	a := &Adapter{ns: ns}
	for _, o := range opts {
		o(a)
	}
	return a, nil
}

// Namespace exposes the underlying binding for code that needs options the
// port does not model.
func (a *Adapter) Namespace() *kv.Namespace { return a.ns }

func (a *Adapter) getOptions() *kv.GetOptions {
	if a.cacheTTL == 0 {
		return nil
	}
	return &kv.GetOptions{CacheTTL: a.cacheTTL}
}

// Get returns store.ErrNotFound for a missing key.
func (a *Adapter) Get(_ context.Context, key string) ([]byte, error) {
	v, err := a.ns.GetString(key, a.getOptions())
	if err != nil {
		return nil, fmt.Errorf("kv get %s: %w", key, err)
	}
	if v == nullString {
		return nil, store.ErrNotFound
	}
	return []byte(v), nil
}

// RawString returns the binding's result unchanged.
func (a *Adapter) RawString(key string) (string, error) {
	return a.ns.GetString(key, a.getOptions())
}

func putOptions(o store.PutOptions) *kv.PutOptions {
	switch {
	case o.TTL > 0:
		return &kv.PutOptions{ExpirationTTL: int(o.TTL / time.Second)}
	case !o.ExpireAt.IsZero():
		return &kv.PutOptions{Expiration: int(o.ExpireAt.Unix())}
	}
	return nil
}

// Put writes a value. Metadata is not supported by the binding wrapper and
// is dropped.
func (a *Adapter) Put(_ context.Context, key string, value []byte, o store.PutOptions) error {
	if err := a.ns.PutString(key, string(value), putOptions(o)); err != nil {
		return fmt.Errorf("kv put %s: %w", key, err)
	}
	return nil
}

func (a *Adapter) Delete(_ context.Context, key string) error {
	if err := a.ns.Delete(key); err != nil {
		return fmt.Errorf("kv delete %s: %w", key, err)
	}
	return nil
}

func (a *Adapter) List(_ context.Context, o store.ListOptions) (store.Page, error) {
	res, err := a.ns.List(&kv.ListOptions{Prefix: o.Prefix, Cursor: o.Cursor, Limit: o.Limit})
	if err != nil {
		return store.Page{}, fmt.Errorf("kv list %q: %w", o.Prefix, err)
	}
	p := store.Page{Cursor: res.Cursor, Complete: res.ListComplete}
	for _, k := range res.Keys {
		ki := store.KeyInfo{Name: k.Name}
		if k.Expiration > 0 {
			ki.Expiration = time.Unix(int64(k.Expiration), 0)
		}
		p.Keys = append(p.Keys, ki)
	}
	return p, nil
}
