// Package cfkv adapts the Cloudflare REST API for Workers KV to
// kvstore.Store, for services that run outside the Worker.
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
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"
	"github.com/cloudflare/cloudflare-go/v2/option"

	"example.com/larkspur/internal/kvstore"
)

const (
	maxBulk     = 10_000
	maxListPage = 1000
)

// Target names one namespace of one account.
type Target struct {
	AccountID   string
	NamespaceID string
}

// Client is a kvstore.Bulk over one namespace.
type Client struct {
	api *cloudflare.Client
	t   Target
}

// New returns a Client for t.
func New(api *cloudflare.Client, t Target) *Client { return &Client{api: api, t: t} }

// API returns the underlying SDK client and target for calls the port does
// not cover.
func (c *Client) API() (*cloudflare.Client, Target) { return c.api, c.t }

// NotFound reports whether err is the API's answer for a missing key.
func NotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Get implements kvstore.Store.
func (c *Client) Get(ctx context.Context, key string, _ ...kvstore.Option) ([]byte, error) {
	resp, err := c.api.KV.Namespaces.Values.Get(ctx, c.t.NamespaceID, url.PathEscape(key), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(c.t.AccountID),
	})
	if err != nil {
		if NotFound(err) {
			return nil, kvstore.ErrNotFound
		}
		return nil, fmt.Errorf("cfkv: get %s: %w", key, err)
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// Put implements kvstore.Store.
func (c *Client) Put(ctx context.Context, key string, value []byte, opts ...kvstore.Option) error {
	o := kvstore.Resolve(opts...)
	meta := []byte("{}")
	if len(o.Metadata) > 0 {
		var err error
		if meta, err = json.Marshal(o.Metadata); err != nil {
			return fmt.Errorf("cfkv: metadata of %s: %w", key, err)
		}
	}
	var reqOpts []option.RequestOption
	if o.TTL > 0 {
		reqOpts = append(reqOpts, option.WithQuery("expiration_ttl", strconv.Itoa(int(o.TTL.Seconds()))))
	}
	if !o.ExpiresAt.IsZero() {
		reqOpts = append(reqOpts, option.WithQuery("expiration", strconv.FormatInt(o.ExpiresAt.Unix(), 10)))
	}
	_, err := c.api.KV.Namespaces.Values.Update(ctx, c.t.NamespaceID, url.PathEscape(key), kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(c.t.AccountID),
		Value:     cloudflare.F(string(value)),
		Metadata:  cloudflare.F(string(meta)),
	}, reqOpts...)
	if err != nil {
		return fmt.Errorf("cfkv: put %s: %w", key, err)
	}
	return nil
}

// Delete implements kvstore.Store.
func (c *Client) Delete(ctx context.Context, key string) error {
	_, err := c.api.KV.Namespaces.Values.Delete(ctx, c.t.NamespaceID, url.PathEscape(key), kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(c.t.AccountID),
	})
	if err != nil && !NotFound(err) {
		return fmt.Errorf("cfkv: delete %s: %w", key, err)
	}
	return nil
}

// List implements kvstore.Store. Without WithLimit the API's maximum page
// size is requested.
func (c *Client) List(ctx context.Context, prefix string, opts ...kvstore.Option) (kvstore.Page, error) {
	o := kvstore.Resolve(opts...)
	limit := o.Limit
	if limit <= 0 {
		limit = maxListPage
	}
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(c.t.AccountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(limit)),
	}
	if o.Cursor != "" {
		params.Cursor = cloudflare.F(o.Cursor)
	}
	res, err := c.api.KV.Namespaces.Keys.List(ctx, c.t.NamespaceID, params)
	if err != nil {
		return kvstore.Page{}, fmt.Errorf("cfkv: list %s: %w", prefix, err)
	}
	page := kvstore.Page{Cursor: res.ResultInfo.Cursor, Complete: res.ResultInfo.Cursor == ""}
	for _, k := range res.Result {
		ki := kvstore.KeyInfo{Name: k.Name, Metadata: k.Metadata}
		if k.Expiration > 0 {
			ki.Expiration = time.Unix(int64(k.Expiration), 0)
		}
		page.Keys = append(page.Keys, ki)
	}
	return page, nil
}

// PutMany implements kvstore.Bulk. Entries are sent in batches of
// WithBatch pairs, 10,000 by default.
func (c *Client) PutMany(ctx context.Context, entries []kvstore.Entry, opts ...kvstore.Option) error {
	o := kvstore.Resolve(opts...)
	batch := o.Batch
	if batch <= 0 {
		batch = maxBulk
	}
	for chunk := range slices.Chunk(entries, batch) {
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(chunk))
		for _, e := range chunk {
			b := kv.NamespaceBulkUpdateParamsBody{Key: cloudflare.F(e.Key), Value: cloudflare.F(string(e.Value))}
			if e.TTL > 0 {
				b.ExpirationTTL = cloudflare.F(e.TTL.Seconds())
			}
			if len(e.Metadata) > 0 {
				b.Metadata = cloudflare.F(e.Metadata)
			}
			body = append(body, b)
		}
		params := kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(c.t.AccountID), Body: body}
		if _, err := c.api.KV.Namespaces.Bulk.Update(ctx, c.t.NamespaceID, params); err != nil {
			return fmt.Errorf("cfkv: bulk write of %d pairs: %w", len(body), err)
		}
	}
	return nil
}
