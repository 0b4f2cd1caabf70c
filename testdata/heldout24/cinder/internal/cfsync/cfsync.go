// Package cfsync is the backend's storage.Store over the Cloudflare REST API,
// used by services that run outside the Worker.
package cfsync

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"

	"example.com/cinder/internal/storage"
)

// MaxBulk is the largest number of pairs one bulk write may carry.
const MaxBulk = 10_000

// Client implements storage.Store against one namespace.
type Client struct {
	api       *cloudflare.Client
	account   string
	namespace string
	prefix    string
}

// New returns a Client for namespace in account.
func New(api *cloudflare.Client, account, namespace string) *Client {
	return &Client{api: api, account: account, namespace: namespace}
}

// API exposes the underlying SDK client and ids for direct calls.
func (c *Client) API() (*cloudflare.Client, string, string) { return c.api, c.account, c.namespace }

// ForTenant returns a view confined to one tenant's keys.
func (c *Client) ForTenant(id string) storage.Store {
	cp := *c
	cp.prefix = c.prefix + "t/" + id + "/"
	return &cp
}

// IsNotFound reports whether err is the API's 404 for a missing key.
func IsNotFound(err error) bool {
	var apiErr *kv.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Get implements storage.Getter.
func (c *Client) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := c.api.KV.Namespaces.Values.Get(ctx, c.namespace, url.PathEscape(c.prefix+key),
		kv.NamespaceValueGetParams{AccountID: cloudflare.F(c.account)})
	if err != nil {
		if IsNotFound(err) {
			return nil, storage.ErrNotFound
		}
		return nil, fmt.Errorf("cfsync get %s: %w", key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// Put implements storage.Putter. Writes with an expiry go through the bulk
// endpoint, which is the only one in this SDK that carries expiration fields.
func (c *Client) Put(ctx context.Context, key string, value []byte, opts ...storage.PutOption) error {
	o := storage.ApplyPut(opts)
	if o.TTL == 0 && o.ExpireAt.IsZero() {
		_, err := c.api.KV.Namespaces.Values.Update(ctx, c.namespace, url.PathEscape(c.prefix+key),
			kv.NamespaceValueUpdateParams{
				AccountID: cloudflare.F(c.account),
				Metadata:  cloudflare.F("{}"),
				Value:     cloudflare.F(string(value)),
			})
		return err
	}
	return c.PutWithMetadata(ctx, key, value, nil, opts...)
}

// PutWithMetadata writes value with metadata attached to the key.
func (c *Client) PutWithMetadata(ctx context.Context, key string, value []byte, meta map[string]any, opts ...storage.PutOption) error {
	o := storage.ApplyPut(opts)
	body := kv.NamespaceBulkUpdateParamsBody{
		Key:   cloudflare.F(c.prefix + key),
		Value: cloudflare.F(string(value)),
	}
	if o.TTL > 0 {
		body.ExpirationTTL = cloudflare.F(o.TTL.Seconds())
	}
	if !o.ExpireAt.IsZero() {
		body.Expiration = cloudflare.F(float64(o.ExpireAt.Unix()))
	}
	if meta != nil {
		body.Metadata = cloudflare.F(meta)
	}
	_, err := c.api.KV.Namespaces.Bulk.Update(ctx, c.namespace, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(c.account),
		Body:      []kv.NamespaceBulkUpdateParamsBody{body},
	})
	return err
}

// Entry is one pair for BulkPut.
type Entry struct {
	Key   string
	Value []byte
	TTL   time.Duration
}

// BulkPut writes entries in chunks the API accepts.
func (c *Client) BulkPut(ctx context.Context, entries []Entry) error {
	for start := 0; start < len(entries); start += MaxBulk {
		end := min(start+MaxBulk, len(entries))
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, end-start)
		for _, e := range entries[start:end] {
			b := kv.NamespaceBulkUpdateParamsBody{
				Key:   cloudflare.F(c.prefix + e.Key),
				Value: cloudflare.F(string(e.Value)),
			}
			if e.TTL > 0 {
				b.ExpirationTTL = cloudflare.F(storage.ClampTTL(e.TTL).Seconds())
			}
			body = append(body, b)
		}
		if _, err := c.api.KV.Namespaces.Bulk.Update(ctx, c.namespace, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(c.account),
			Body:      body,
		}); err != nil {
			return fmt.Errorf("cfsync bulk [%d:%d]: %w", start, end, err)
		}
	}
	return nil
}

// Delete implements storage.Deleter.
func (c *Client) Delete(ctx context.Context, key string) error {
	_, err := c.api.KV.Namespaces.Values.Delete(ctx, c.namespace, url.PathEscape(c.prefix+key),
		kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(c.account)})
	if IsNotFound(err) {
		return nil
	}
	return err
}

// List implements storage.Lister; it returns one page and its cursor.
func (c *Client) List(ctx context.Context, q storage.ListQuery) (storage.Page, error) {
	params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(c.account), Prefix: cloudflare.F(c.prefix + q.Prefix)}
	if q.Cursor != "" {
		params.Cursor = cloudflare.F(q.Cursor)
	}
	if q.Limit > 0 {
		params.Limit = cloudflare.F(float64(min(max(q.Limit, 10), 1000)))
	}
	res, err := c.api.KV.Namespaces.Keys.List(ctx, c.namespace, params)
	if err != nil {
		return storage.Page{}, fmt.Errorf("cfsync list %s: %w", q.Prefix, err)
	}
	page := storage.Page{Cursor: res.ResultInfo.Cursor, Complete: res.ResultInfo.Cursor == ""}
	for _, k := range res.Result {
		info := storage.KeyInfo{Name: strings.TrimPrefix(k.Name, c.prefix)}
		if k.Expiration > 0 {
			info.ExpiresAt = time.Unix(int64(k.Expiration), 0).UTC()
		}
		page.Keys = append(page.Keys, info)
	}
	return page, nil
}
