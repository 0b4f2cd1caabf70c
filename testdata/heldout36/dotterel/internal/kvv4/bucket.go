// Package kvv4 wraps the v4 Cloudflare SDK's KV resources for the firmware
// service, which was migrated to the new SDK first.
package kvv4

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
	"github.com/cloudflare/cloudflare-go/v4/option"
	"github.com/cloudflare/cloudflare-go/v4/packages/pagination"
)

// Bucket is one KV namespace reached through the v4 SDK.
type Bucket struct {
	c       *cloudflare.Client
	Account string
	NS      string
}

// Open builds a Bucket from an API token.
func Open(token, account, namespace string) *Bucket {
	return &Bucket{c: cloudflare.NewClient(option.WithAPIToken(token)), Account: account, NS: namespace}
}

// Client returns the SDK client.
func (b *Bucket) Client() *cloudflare.Client { return b.c }

// Get returns the value of key; found is false on a 404.
func (b *Bucket) Get(ctx context.Context, key string) (string, bool, error) {
	resp, err := b.c.KV.Namespaces.Values.Get(ctx, b.NS, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(b.Account)})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return "", false, nil
		}
		return "", false, fmt.Errorf("kv get %q: %w", key, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", false, fmt.Errorf("kv read %q: %w", key, err)
	}
	return string(body), true, nil
}

// Put writes value under key; ttlSeconds of zero means no expiry.
func (b *Bucket) Put(ctx context.Context, key, value string, ttlSeconds int) error {
	p := kv.NamespaceValueUpdateParams{AccountID: cloudflare.F(b.Account), Value: cloudflare.F(value)}
	if ttlSeconds > 0 {
		p.ExpirationTTL = cloudflare.F(float64(ttlSeconds))
	}
	if _, err := b.c.KV.Namespaces.Values.Update(ctx, b.NS, key, p); err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// Delete removes key.
func (b *Bucket) Delete(ctx context.Context, key string) error {
	if _, err := b.c.KV.Namespaces.Values.Delete(ctx, b.NS, key, kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(b.Account)}); err != nil {
		return fmt.Errorf("kv delete %q: %w", key, err)
	}
	return nil
}

// Keys returns one page of keys under prefix.
func (b *Bucket) Keys(ctx context.Context, prefix, cursor string, limit int) (*pagination.CursorLimitPagination[kv.Key], error) {
	p := kv.NamespaceKeyListParams{AccountID: cloudflare.F(b.Account), Prefix: cloudflare.F(prefix)}
	if cursor != "" {
		p.Cursor = cloudflare.F(cursor)
	}
	if limit > 0 {
		p.Limit = cloudflare.F(float64(limit))
	}
	page, err := b.c.KV.Namespaces.Keys.List(ctx, b.NS, p)
	if err != nil {
		return nil, fmt.Errorf("kv list %q: %w", prefix, err)
	}
	return page, nil
}
