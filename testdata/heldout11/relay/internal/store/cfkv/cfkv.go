// Package cfkv implements store.Store on a Workers KV namespace through the
// Cloudflare REST API (cloudflare-go v4).
package cfkv

import (
	"context"
	"errors"
	"io"
	"math"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"example.com/relay/internal/cfns"
	"example.com/relay/internal/store"
)

// Adapter is a store.Store backed by one KV namespace.
type Adapter struct {
	ns       cfns.Namespace
	defaults store.PutOptions
}

var _ store.Store = (*Adapter)(nil)

// New returns an adapter for ns; defaults apply before each Put's options.
func New(ns cfns.Namespace, defaults store.PutOptions) *Adapter {
	return &Adapter{ns: ns, defaults: defaults}
}

func (a *Adapter) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := a.ns.Client.KV.Namespaces.Values.Get(ctx, a.ns.ID, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(a.ns.AccountID),
	})
	if cfns.IsNotFound(err) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, wrap("get", key, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return b, wrap("get", key, err)
}

func (a *Adapter) Put(ctx context.Context, key string, value []byte, opts ...store.PutOption) error {
	o := store.Resolve(a.defaults, opts...)
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(a.ns.AccountID),
		Value:     cloudflare.F(string(value)),
	}
	if o.TTL > 0 {
		params.ExpirationTTL = cloudflare.F(math.Ceil(o.TTL.Seconds()))
	}
	if len(o.Metadata) > 0 {
		params.Metadata = cloudflare.F[any](o.Metadata)
	}
	_, err := a.ns.Client.KV.Namespaces.Values.Update(ctx, a.ns.ID, key, params)
	return wrap("put", key, err)
}

func (a *Adapter) Delete(ctx context.Context, key string) error {
	_, err := a.ns.Client.KV.Namespaces.Values.Delete(ctx, a.ns.ID, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(a.ns.AccountID),
	})
	if cfns.IsNotFound(err) {
		return nil
	}
	return wrap("delete", key, err)
}

func (a *Adapter) List(ctx context.Context, prefix, cursor string, limit int) (store.Page, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(a.ns.AccountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(limit)),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	res, err := a.ns.Client.KV.Namespaces.Keys.List(ctx, a.ns.ID, params)
	if err != nil {
		return store.Page{}, wrap("list", prefix, err)
	}
	page := store.Page{Cursor: res.ResultInfo.Cursor, Keys: make([]store.KeyInfo, 0, len(res.Result))}
	for _, k := range res.Result {
		m, _ := k.Metadata.(map[string]any)
		page.Keys = append(page.Keys, store.KeyInfo{Name: k.Name, Metadata: m})
	}
	return page, nil
}

func wrap(op, key string, err error) error {
	if err == nil {
		return nil
	}
	oe := &store.OpError{Op: op, Key: key, Err: err}
	var apiErr *cloudflare.Error
	if errors.As(err, &apiErr) {
		oe.Status = apiErr.StatusCode
	}
	return oe
}
