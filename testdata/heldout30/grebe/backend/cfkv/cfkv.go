// Package cfkv implements the storage port over the Cloudflare REST API,
// for the backend services that write to the same namespaces the Worker
// reads.
package cfkv

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"

	"example.com/grebe/internal/store"
)

// MaxBulk is the most pairs the bulk endpoint accepts in one request.
const MaxBulk = 10_000

// Client is a storage port for one namespace.
type Client struct {
	api     *kv.NamespaceService
	account string
	ns      string
}

var _ store.Store = (*Client)(nil)

// New returns a port for namespace ns in account.
func New(api *cloudflare.Client, account, ns string) *Client {
	return &Client{api: api.KV.Namespaces, account: account, ns: ns}
}

// IsNotFound reports whether err is the API's 404.
func IsNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

func (c *Client) Get(ctx context.Context, key string) ([]byte, error) {
	resp, err := c.api.Values.Get(ctx, c.ns, url.PathEscape(key), kv.NamespaceValueGetParams{AccountID: cloudflare.F(c.account)})
	if err != nil {
		if IsNotFound(err) {
			return nil, store.ErrNotFound
		}
		return nil, fmt.Errorf("cfkv get %s: %w", key, err)
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// Item is one pair of a bulk write.
type Item struct {
	Key   string
	Value []byte
	Opts  store.PutOptions
}

func body(it Item) kv.NamespaceBulkUpdateParamsBody {
	b := kv.NamespaceBulkUpdateParamsBody{
		Key:   cloudflare.F(it.Key),
		Value: cloudflare.F(string(it.Value)),
	}
	switch {
	case it.Opts.TTL > 0:
		b.ExpirationTTL = cloudflare.F(it.Opts.TTL.Seconds())
	case !it.Opts.ExpireAt.IsZero():
		b.Expiration = cloudflare.F(float64(it.Opts.ExpireAt.Unix()))
	}
	if it.Opts.Meta != nil {
		b.Metadata = cloudflare.F(it.Opts.Meta)
	}
	return b
}

// Put writes one value. The single-value endpoint of this SDK version takes
// no expiry, so writes with a lifetime go through the bulk endpoint.
func (c *Client) Put(ctx context.Context, key string, value []byte, o store.PutOptions) error {
	if o.TTL > 0 || !o.ExpireAt.IsZero() {
		return c.PutMany(ctx, []Item{{Key: key, Value: value, Opts: o}})
	}
	meta := "{}"
	if o.Meta != nil {
		b, err := json.Marshal(o.Meta)
		if err != nil {
			return err
		}
		meta = string(b)
	}
	_, err := c.api.Values.Update(ctx, c.ns, url.PathEscape(key), kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(c.account),
		Value:     cloudflare.F(string(value)),
		Metadata:  cloudflare.F(meta),
	})
	if err != nil {
		return fmt.Errorf("cfkv put %s: %w", key, err)
	}
	return nil
}

// PutMany writes items in one bulk request.
func (c *Client) PutMany(ctx context.Context, items []Item) error {
	bodies := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(items))
	for _, it := range items {
		bodies = append(bodies, body(it))
	}
	_, err := c.api.Bulk.Update(ctx, c.ns, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(c.account),
		Body:      bodies,
	})
	if err != nil {
		return fmt.Errorf("cfkv bulk put (%d): %w", len(items), err)
	}
	return nil
}

// PutAll writes any number of items, MaxBulk per request.
func (c *Client) PutAll(ctx context.Context, items []Item) error {
	for chunk := range slices.Chunk(items, MaxBulk) {
		if err := c.PutMany(ctx, chunk); err != nil {
			return err
		}
	}
	return nil
}

func (c *Client) Delete(ctx context.Context, key string) error {
	_, err := c.api.Values.Delete(ctx, c.ns, url.PathEscape(key), kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(c.account),
	})
	if err != nil && !IsNotFound(err) {
		return fmt.Errorf("cfkv delete %s: %w", key, err)
	}
	return nil
}

func (c *Client) List(ctx context.Context, o store.ListOptions) (store.Page, error) {
	params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(c.account)}
	if o.Prefix != "" {
		params.Prefix = cloudflare.F(o.Prefix)
	}
	if o.Cursor != "" {
		params.Cursor = cloudflare.F(o.Cursor)
	}
	if o.Limit > 0 {
		params.Limit = cloudflare.F(float64(o.Limit))
	}
	res, err := c.api.Keys.List(ctx, c.ns, params)
	if err != nil {
		return store.Page{}, fmt.Errorf("cfkv list %q: %w", o.Prefix, err)
	}
	p := store.Page{Cursor: res.ResultInfo.Cursor, Complete: res.ResultInfo.Cursor == ""}
	for _, k := range res.Result {
		ki := store.KeyInfo{Name: k.Name, Meta: k.Metadata}
		if k.Expiration > 0 {
			ki.Expiration = time.Unix(int64(k.Expiration), 0)
		}
		p.Keys = append(p.Keys, ki)
	}
	return p, nil
}
