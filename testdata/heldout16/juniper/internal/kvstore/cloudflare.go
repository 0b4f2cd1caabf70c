package kvstore

import (
	"context"
	"fmt"
	"net/url"

	cloudflare "github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"example.com/juniper/internal/cfapi"
)

// Cloudflare is the Workers KV adapter, speaking the REST API through the
// v5 SDK.
type Cloudflare struct {
	ns cfapi.Namespace
}

// NewCloudflare returns a Store backed by the namespace ns.
func NewCloudflare(ns cfapi.Namespace) *Cloudflare {
	return &Cloudflare{ns: ns}
}

func (c *Cloudflare) Get(ctx context.Context, key string) ([]byte, error) {
	b, err := c.ns.GetBytes(ctx, key)
	if cfapi.IsNotFound(err) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("kvstore: get %q: %w", key, err)
	}
	return b, nil
}

func (c *Cloudflare) Put(ctx context.Context, key string, value []byte, opts ...PutOption) error {
	o := Collect(opts)
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(c.ns.AccountID),
		Value:     cloudflare.F(string(value)),
	}
	if o.TTL > 0 {
		params.ExpirationTTL = cloudflare.F(float64(int64(o.TTL.Seconds())))
	}
	if !o.ExpireAt.IsZero() {
		params.Expiration = cloudflare.F(float64(o.ExpireAt.Unix()))
	}
	if o.Metadata != nil {
		params.Metadata = cloudflare.F[any](o.Metadata)
	}
	if _, err := c.ns.Client.KV.Namespaces.Values.Update(ctx, c.ns.ID, url.PathEscape(key), params); err != nil {
		return fmt.Errorf("kvstore: put %q: %w", key, err)
	}
	return nil
}

func (c *Cloudflare) Delete(ctx context.Context, key string) error {
	if err := c.ns.Delete(ctx, key); err != nil && !cfapi.IsNotFound(err) {
		return fmt.Errorf("kvstore: delete %q: %w", key, err)
	}
	return nil
}

func (c *Cloudflare) List(ctx context.Context, q ListQuery) (Page, error) {
	params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(c.ns.AccountID)}
	if q.Prefix != "" {
		params.Prefix = cloudflare.F(q.Prefix)
	}
	if q.Cursor != "" {
		params.Cursor = cloudflare.F(q.Cursor)
	}
	if q.Limit > 0 {
		params.Limit = cloudflare.F(float64(q.Limit))
	}
	res, err := c.ns.Client.KV.Namespaces.Keys.List(ctx, c.ns.ID, params)
	if err != nil {
		return Page{}, fmt.Errorf("kvstore: list %q: %w", q.Prefix, err)
	}
	page := Page{Cursor: res.ResultInfo.Cursor, Keys: make([]KeyInfo, 0, len(res.Result))}
	for _, k := range res.Result {
		page.Keys = append(page.Keys, KeyInfo{Name: k.Name, Expiration: int64(k.Expiration), Metadata: k.Metadata})
	}
	return page, nil
}
