//go:build js && wasm

package kvstore

import (
	"context"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// Binding is a Namespace over a Worker KV binding.
type Binding struct {
	ns       *kv.Namespace
	cacheTTL time.Duration
}

// Bind opens the KV binding called name. Reads are edge-cached for cacheTTL
// when it is positive.
func Bind(name string, cacheTTL time.Duration) (*Binding, error) {
	ns, err := kv.NewNamespace(name)
	if err != nil {
		return nil, err
	}
	return &Binding{ns: ns, cacheTTL: cacheTTL}, nil
}

// Raw exposes the underlying binding for callers that need its options.
func (b *Binding) Raw() *kv.Namespace { return b.ns }

func (b *Binding) Get(_ context.Context, key Key) (string, error) {
	var opts *kv.GetOptions
	if b.cacheTTL > 0 {
		opts = &kv.GetOptions{CacheTTL: int(b.cacheTTL.Seconds())}
	}
	return b.ns.GetString(string(key), opts)
}

func (b *Binding) Put(_ context.Context, key Key, value string, ttl time.Duration) error {
	var opts *kv.PutOptions
	if ttl > 0 {
		opts = &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())}
	}
	return b.ns.PutString(string(key), value, opts)
}

func (b *Binding) Delete(_ context.Context, key Key) error {
	return b.ns.Delete(string(key))
}

func (b *Binding) List(_ context.Context, o ListOptions) (Page, error) {
	res, err := b.ns.List(&kv.ListOptions{Prefix: string(o.Prefix), Cursor: o.Cursor, Limit: o.Limit})
	if err != nil {
		return Page{}, err
	}
	page := Page{Cursor: res.Cursor, Complete: res.ListComplete, Keys: make([]Entry, 0, len(res.Keys))}
	for _, k := range res.Keys {
		e := Entry{Name: Key(k.Name)}
		if k.Expiration > 0 {
			e.Expiration = time.Unix(int64(k.Expiration), 0)
		}
		page.Keys = append(page.Keys, e)
	}
	return page, nil
}
