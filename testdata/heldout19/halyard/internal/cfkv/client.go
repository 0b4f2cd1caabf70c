// Package cfkv adapts Cloudflare Workers KV (REST API, cloudflare-go v4) to
// the kvstore port, and exposes the lazily built SDK client for packages that
// talk to the SDK directly.
package cfkv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
	"github.com/cloudflare/cloudflare-go/v4/option"

	"example.com/halyard/internal/kvstore"
)

// API returns the process-wide SDK client, built on first use from
// CF_API_TOKEN.
var API = sync.OnceValue(func() *cloudflare.Client {
	return cloudflare.NewClient(
		option.WithAPIToken(os.Getenv("CF_API_TOKEN")),
		option.WithMaxRetries(2),
		option.WithRequestTimeout(10*time.Second),
	)
})

// Client is a kvstore.ReadWriter bound to one namespace.
type Client struct {
	api         *cloudflare.Client
	accountID   string
	namespaceID string
}

// New binds a namespace. A nil api uses the shared lazy client.
func New(api *cloudflare.Client, accountID, namespaceID string) *Client {
	if api == nil {
		api = API()
	}
	return &Client{api: api, accountID: accountID, namespaceID: namespaceID}
}

// Namespace returns the bound namespace ID.
func (c *Client) Namespace() string { return c.namespaceID }

// IsNotFound reports whether err is the REST API's 404 for a missing key.
func IsNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Get implements kvstore.Reader.
func (c *Client) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := c.api.KV.Namespaces.Values.Get(ctx, c.namespaceID, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(c.accountID),
	})
	if err != nil {
		if IsNotFound(err) {
			return nil, kvstore.ErrNotFound
		}
		return nil, fmt.Errorf("cfkv: get %s: %w", key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// Put implements kvstore.Writer.
func (c *Client) Put(ctx context.Context, key string, value []byte, o kvstore.PutOptions) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(c.accountID),
		Value:     cloudflare.F(string(value)),
	}
	if o.TTL > 0 {
		params.ExpirationTTL = cloudflare.F(float64(o.TTL))
	}
	if o.ExpireAt > 0 {
		params.Expiration = cloudflare.F(float64(o.ExpireAt))
	}
	if o.Metadata != nil {
		params.Metadata = cloudflare.F[any](o.Metadata)
	}
	if _, err := c.api.KV.Namespaces.Values.Update(ctx, c.namespaceID, key, params); err != nil {
		return fmt.Errorf("cfkv: put %s: %w", key, err)
	}
	return nil
}

// Delete implements kvstore.Writer.
func (c *Client) Delete(ctx context.Context, key string) error {
	_, err := c.api.KV.Namespaces.Values.Delete(ctx, c.namespaceID, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(c.accountID),
	})
	if err != nil && !IsNotFound(err) {
		return fmt.Errorf("cfkv: delete %s: %w", key, err)
	}
	return nil
}

// List implements kvstore.Lister.
func (c *Client) List(ctx context.Context, prefix, cursor string, limit int) (kvstore.Page, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(c.accountID),
		Prefix:    cloudflare.F(prefix),
	}
	if limit > 0 {
		params.Limit = cloudflare.F(float64(min(max(limit, 10), 1000)))
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	res, err := c.api.KV.Namespaces.Keys.List(ctx, c.namespaceID, params)
	if err != nil {
		return kvstore.Page{}, fmt.Errorf("cfkv: list %q: %w", prefix, err)
	}
	page := kvstore.Page{Cursor: res.ResultInfo.Cursor}
	for _, k := range res.Result {
		ki := kvstore.KeyInfo{Name: k.Name, Expiration: int64(k.Expiration)}
		if m, ok := k.Metadata.(map[string]any); ok {
			ki.Metadata = m
		}
		page.Keys = append(page.Keys, ki)
	}
	return page, nil
}

var _ kvstore.ReadWriter = (*Client)(nil)
