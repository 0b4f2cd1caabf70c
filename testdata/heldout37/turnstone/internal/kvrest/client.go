// Package kvrest reaches the Workers KV namespaces from outside the Worker,
// through the Cloudflare REST API. The admin tool and the campaign sender use it.
package kvrest

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

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/option"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// ErrNotFound is returned for keys that do not exist.
var ErrNotFound = errors.New("kvrest: key not found")

// Client is bound to one namespace.
type Client struct {
	API         *cloudflare.Client
	AccountID   string
	NamespaceID string
}

func New(token, accountID, namespaceID string) *Client {
	return &Client{
		API:         cloudflare.NewClient(option.WithAPIToken(token), option.WithMaxRetries(3)),
		AccountID:   accountID,
		NamespaceID: namespaceID,
	}
}

func notFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Get returns the value at key.
func (c *Client) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := c.API.KV.Namespaces.Values.Get(ctx, c.NamespaceID, url.PathEscape(key), kv.NamespaceValueGetParams{AccountID: cloudflare.F(c.AccountID)})
	if notFound(err) {
		return nil, ErrNotFound
	} else if err != nil {
		return nil, fmt.Errorf("kvrest: get %s: %w", key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// PutOptions control expiry and metadata of a write.
type PutOptions struct {
	TTL      time.Duration
	ExpireAt time.Time
	Metadata any
}

// Put writes value at key.
func (c *Client) Put(ctx context.Context, key string, value []byte, o PutOptions) error {
	p := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(c.AccountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	}
	if o.TTL > 0 {
		p.ExpirationTTL = cloudflare.F(o.TTL.Seconds())
	}
	if !o.ExpireAt.IsZero() {
		p.Expiration = cloudflare.F(float64(o.ExpireAt.Unix()))
	}
	if o.Metadata != nil {
		p.Metadata = cloudflare.F[any](o.Metadata)
	}
	if _, err := c.API.KV.Namespaces.Values.Update(ctx, c.NamespaceID, url.PathEscape(key), p); err != nil {
		return fmt.Errorf("kvrest: put %s: %w", key, err)
	}
	return nil
}

// Metadata decodes the metadata stored with key into dst.
func (c *Client) Metadata(ctx context.Context, key string, dst any) error {
	res, err := c.API.KV.Namespaces.Metadata.Get(ctx, c.NamespaceID, url.PathEscape(key), kv.NamespaceMetadataGetParams{AccountID: cloudflare.F(c.AccountID)})
	if notFound(err) {
		return ErrNotFound
	} else if err != nil {
		return fmt.Errorf("kvrest: metadata %s: %w", key, err)
	}
	b, err := json.Marshal(*res)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, dst)
}

// Page lists one page of keys (with their metadata) under prefix.
func (c *Client) Page(ctx context.Context, prefix, cursor string, limit int) ([]kv.Key, string, error) {
	p := kv.NamespaceKeyListParams{AccountID: cloudflare.F(c.AccountID), Prefix: cloudflare.F(prefix)}
	if cursor != "" {
		p.Cursor = cloudflare.F(cursor)
	}
	if limit > 0 {
		p.Limit = cloudflare.F(float64(limit))
	}
	res, err := c.API.KV.Namespaces.Keys.List(ctx, c.NamespaceID, p)
	if err != nil {
		return nil, "", fmt.Errorf("kvrest: list %s: %w", prefix, err)
	}
	return res.Result, res.ResultInfo.Cursor, nil
}

// DeleteKeys removes keys in bulk requests of at most 10,000.
func (c *Client) DeleteKeys(ctx context.Context, keys []string) error {
	for chunk := range slices.Chunk(keys, 10_000) {
		_, err := c.API.KV.Namespaces.BulkDelete(ctx, c.NamespaceID, kv.NamespaceBulkDeleteParams{AccountID: cloudflare.F(c.AccountID), Body: chunk})
		if err != nil {
			return fmt.Errorf("kvrest: bulk delete: %w", err)
		}
	}
	return nil
}
