//go:build !js

// Package restkv is the backend's thin adapter over the Cloudflare REST API
// for one KV namespace.
package restkv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
	"github.com/cloudflare/cloudflare-go/v4/option"
)

// MaxBulk is the most pairs the bulk endpoints accept in one request.
const MaxBulk = 10000

// Pair is one entry of a bulk write.
type Pair struct {
	Key   string
	Value string
	TTL   time.Duration
	Meta  map[string]any
}

// Client talks to one namespace. Hooks run in registration order.
type Client struct {
	API         *cloudflare.Client
	AccountID   string
	NamespaceID string

	beforeSave  []func(ctx context.Context, key string, value []byte) error
	afterDelete []func(ctx context.Context, key string)
}

// New builds a Client from an API token.
func New(token, accountID, namespaceID string) *Client {
	api := cloudflare.NewClient(option.WithAPIToken(token), option.WithMaxRetries(3))
	return &Client{API: api, AccountID: accountID, NamespaceID: namespaceID}
}

// BeforeSave registers a hook run before every Put.
func (c *Client) BeforeSave(fn func(ctx context.Context, key string, value []byte) error) {
	c.beforeSave = append(c.beforeSave, fn)
}

// AfterDelete registers a hook run after every successful Delete.
func (c *Client) AfterDelete(fn func(ctx context.Context, key string)) {
	c.afterDelete = append(c.afterDelete, fn)
}

// IsNotFound reports whether err is the API's 404 for a missing key.
func IsNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Get returns the raw value. A missing key is an error; see IsNotFound.
func (c *Client) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := c.API.KV.Namespaces.Values.Get(ctx, c.NamespaceID, url.PathEscape(key), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(c.AccountID),
	})
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// Put writes value with a relative lifetime; zero means no expiry.
func (c *Client) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	for _, h := range c.beforeSave {
		if err := h(ctx, key, value); err != nil {
			return err
		}
	}
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(c.AccountID),
		Value:     cloudflare.F(string(value)),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	_, err := c.API.KV.Namespaces.Values.Update(ctx, c.NamespaceID, url.PathEscape(key), params)
	return err
}

// PutWithMeta is Put plus list-visible metadata.
func (c *Client) PutWithMeta(ctx context.Context, key string, value []byte, meta any, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(c.AccountID),
		Value:     cloudflare.F(string(value)),
		Metadata:  cloudflare.F(meta),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	_, err := c.API.KV.Namespaces.Values.Update(ctx, c.NamespaceID, url.PathEscape(key), params)
	return err
}

// Delete removes key and runs the AfterDelete hooks.
func (c *Client) Delete(ctx context.Context, key string) error {
	_, err := c.API.KV.Namespaces.Values.Delete(ctx, c.NamespaceID, url.PathEscape(key), kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(c.AccountID),
	})
	if err != nil {
		return err
	}
	for _, h := range c.afterDelete {
		h(ctx, key)
	}
	return nil
}

// BulkPut writes pairs in requests of at most MaxBulk.
func (c *Client) BulkPut(ctx context.Context, pairs []Pair) error {
	for chunk := range slices.Chunk(pairs, MaxBulk) {
		body := make([]kv.NamespaceKeyBulkUpdateParamsBody, 0, len(chunk))
		for _, p := range chunk {
			b := kv.NamespaceKeyBulkUpdateParamsBody{
				Key:   cloudflare.F(p.Key),
				Value: cloudflare.F(p.Value),
			}
			if p.TTL > 0 {
				b.ExpirationTTL = cloudflare.F(p.TTL.Seconds())
			}
			if p.Meta != nil {
				b.Metadata = cloudflare.F[any](p.Meta)
			}
			body = append(body, b)
		}
		res, err := c.API.KV.Namespaces.Keys.BulkUpdate(ctx, c.NamespaceID, kv.NamespaceKeyBulkUpdateParams{
			AccountID: cloudflare.F(c.AccountID),
			Body:      body,
		})
		if err != nil {
			return err
		}
		if len(res.UnsuccessfulKeys) > 0 {
			return fmt.Errorf("bulk put: %d keys failed, first %q", len(res.UnsuccessfulKeys), res.UnsuccessfulKeys[0])
		}
	}
	return nil
}

// BulkDelete removes keys in requests of at most MaxBulk.
func (c *Client) BulkDelete(ctx context.Context, keys []string) error {
	for chunk := range slices.Chunk(keys, MaxBulk) {
		_, err := c.API.KV.Namespaces.Keys.BulkDelete(ctx, c.NamespaceID, kv.NamespaceKeyBulkDeleteParams{
			AccountID: cloudflare.F(c.AccountID),
			Body:      chunk,
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// Page returns one page of keys and the cursor of the next ("" at the end).
func (c *Client) Page(ctx context.Context, prefix, cursor string, limit int) ([]kv.Key, string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(c.AccountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(limit)),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := c.API.KV.Namespaces.Keys.List(ctx, c.NamespaceID, params)
	if err != nil {
		return nil, "", err
	}
	return page.Result, page.ResultInfo.Cursor, nil
}
