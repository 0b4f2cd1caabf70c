// Package kvx is the dunning service's Workers KV client, built on the
// generated cloudflare-go v6 SDK.
package kvx

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// MinTTL is the shortest expiry KV accepts.
const MinTTL = time.Minute

// ErrMissing is returned by Get for a key that does not exist.
var ErrMissing = errors.New("kvx: no such key")

// Client talks to one namespace.
type Client struct {
	cf      *cloudflare.Client
	account string
	ns      string
}

// New returns a Client.
func New(cf *cloudflare.Client, accountID, namespaceID string) *Client {
	return &Client{cf: cf, account: accountID, ns: namespaceID}
}

// SDK returns the generated client and identifiers for direct calls.
func (c *Client) SDK() (*cloudflare.Client, string, string) { return c.cf, c.account, c.ns }

// IsMissing reports whether err is a 404 from the KV API.
func IsMissing(err error) bool {
	if errors.Is(err, ErrMissing) {
		return true
	}
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Get reads a value.
func (c *Client) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := c.cf.KV.Namespaces.Values.Get(ctx, c.ns, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(c.account),
	})
	if err != nil {
		if IsMissing(err) {
			return nil, ErrMissing
		}
		return nil, fmt.Errorf("kvx get %s: %w", key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// Put writes a value that expires after ttl. TTLs under a minute are raised
// to a minute because the API rejects them; zero means no expiry.
func (c *Client) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(c.account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	}
	if ttl != 0 {
		if ttl < MinTTL {
			slog.Debug("kvx: raising ttl", "key", key, "ttl", ttl)
			ttl = MinTTL
		}
		params.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	_, err := c.cf.KV.Namespaces.Values.Update(ctx, c.ns, key, params)
	return err
}

// PutUntil writes a value that expires at an absolute time.
func (c *Client) PutUntil(ctx context.Context, key string, value []byte, at time.Time) error {
	_, err := c.cf.KV.Namespaces.Values.Update(ctx, c.ns, key, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(c.account),
		Value:      cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
		Expiration: cloudflare.F(float64(at.Unix())),
	})
	return err
}

// Delete removes a key.
func (c *Client) Delete(ctx context.Context, key string) error {
	_, err := c.cf.KV.Namespaces.Values.Delete(ctx, c.ns, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(c.account),
	})
	return err
}

// PutMeta is Put with key metadata, which List returns with the key name.
func (c *Client) PutMeta(ctx context.Context, key string, value []byte, ttl time.Duration, meta map[string]any) error {
	_, err := c.cf.KV.Namespaces.Values.Update(ctx, c.ns, key, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(c.account),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
		ExpirationTTL: cloudflare.F(max(ttl, MinTTL).Seconds()),
		Metadata:      cloudflare.F[any](meta),
	})
	return err
}

// Keys returns one page of key names under prefix and the cursor for the next
// page ("" when there are no more).
func (c *Client) Keys(ctx context.Context, prefix, cursor string, limit int) ([]kv.Key, string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(c.account),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(limit)),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := c.cf.KV.Namespaces.Keys.List(ctx, c.ns, params)
	if err != nil {
		return nil, "", err
	}
	return page.Result, page.ResultInfo.Cursor, nil
}
