// Package cfkv is the backend's access to Workers KV through the Cloudflare
// REST API. It hides the account and namespace ids and the param.Field
// plumbing of cloudflare-go.
package cfkv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/option"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// MaxBulkPairs is the most pairs one bulk write may carry.
const MaxBulkPairs = 10_000

// MaxBulkGet is the most keys one bulk read may ask for.
const MaxBulkGet = 100

// ErrNotFound is returned by Get for a key that does not exist.
var ErrNotFound = errors.New("cfkv: key not found")

// Client talks to one namespace.
type Client struct {
	API         *cloudflare.Client
	AccountID   string
	NamespaceID string
}

// New builds a Client from an API token.
func New(token, accountID, namespaceID string) *Client {
	api := cloudflare.NewClient(
		option.WithAPIToken(token),
		option.WithMaxRetries(3),
		option.WithRequestTimeout(20*time.Second),
	)
	return &Client{API: api, AccountID: accountID, NamespaceID: namespaceID}
}

// With returns a Client for another namespace of the same account.
func (c *Client) With(namespaceID string) *Client {
	return &Client{API: c.API, AccountID: c.AccountID, NamespaceID: namespaceID}
}

// IsNotFound reports whether err is the API's 404 for a missing key.
func IsNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Get returns the value stored under key, or ErrNotFound.
func (c *Client) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := c.API.KV.Namespaces.Values.Get(ctx, c.NamespaceID, url.PathEscape(key), kv.NamespaceValueGetParams{AccountID: cloudflare.F(c.AccountID)})
	if err != nil {
		if IsNotFound(err) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("kv get %q: %w", key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// Put stores value under key. A ttl of zero stores it without expiry.
func (c *Client) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(c.AccountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	if _, err := c.API.KV.Namespaces.Values.Update(ctx, c.NamespaceID, url.PathEscape(key), params); err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// PutMeta stores value with metadata that List returns alongside the key.
func (c *Client) PutMeta(ctx context.Context, key string, value []byte, meta any, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(c.AccountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
		Metadata:  cloudflare.F(meta),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	_, err := c.API.KV.Namespaces.Values.Update(ctx, c.NamespaceID, url.PathEscape(key), params)
	return err
}

// Delete removes key.
func (c *Client) Delete(ctx context.Context, key string) error {
	_, err := c.API.KV.Namespaces.Values.Delete(ctx, c.NamespaceID, url.PathEscape(key), kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(c.AccountID)})
	if err != nil && !IsNotFound(err) {
		return fmt.Errorf("kv delete %q: %w", key, err)
	}
	return nil
}

// Page returns one page of keys under prefix and the cursor of the next page,
// empty on the last page.
func (c *Client) Page(ctx context.Context, prefix, cursor string, limit int) ([]kv.Key, string, error) {
	params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(c.AccountID), Limit: cloudflare.F(float64(limit))}
	if prefix != "" {
		params.Prefix = cloudflare.F(prefix)
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := c.API.KV.Namespaces.Keys.List(ctx, c.NamespaceID, params)
	if err != nil {
		return nil, "", fmt.Errorf("kv list %q: %w", prefix, err)
	}
	return page.Result, page.ResultInfo.Cursor, nil
}

// BulkPut writes pairs in requests of at most MaxBulkPairs and returns the
// keys the API reported as not written.
func (c *Client) BulkPut(ctx context.Context, pairs []kv.NamespaceBulkUpdateParamsBody) ([]string, error) {
	var failed []string
	for start := 0; start < len(pairs); start += MaxBulkPairs {
		end := min(start+MaxBulkPairs, len(pairs))
		res, err := c.API.KV.Namespaces.BulkUpdate(ctx, c.NamespaceID, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(c.AccountID),
			Body:      pairs[start:end],
		})
		if err != nil {
			return failed, fmt.Errorf("kv bulk write [%d:%d]: %w", start, end, err)
		}
		failed = append(failed, res.UnsuccessfulKeys...)
	}
	return failed, nil
}

// BulkGet reads up to MaxBulkGet text values at once. Missing keys are
// absent from the result.
func (c *Client) BulkGet(ctx context.Context, keys []string) (map[string]string, error) {
	if len(keys) > MaxBulkGet {
		return nil, fmt.Errorf("kv bulk get: %d keys, max %d", len(keys), MaxBulkGet)
	}
	res, err := c.API.KV.Namespaces.BulkGet(ctx, c.NamespaceID, kv.NamespaceBulkGetParams{
		AccountID: cloudflare.F(c.AccountID),
		Keys:      cloudflare.F(keys),
		Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
	})
	if err != nil {
		return nil, fmt.Errorf("kv bulk get: %w", err)
	}
	out := make(map[string]string, len(keys))
	if r, ok := res.AsUnion().(kv.NamespaceBulkGetResponseWorkersKVBulkGetResult); ok {
		for k, v := range r.Values {
			if s, ok := v.(shared.UnionString); ok {
				out[k] = string(s)
			}
		}
	}
	return out, nil
}

// BulkDelete removes keys in requests of at most MaxBulkPairs.
func (c *Client) BulkDelete(ctx context.Context, keys []string) error {
	for start := 0; start < len(keys); start += MaxBulkPairs {
		end := min(start+MaxBulkPairs, len(keys))
		_, err := c.API.KV.Namespaces.BulkDelete(ctx, c.NamespaceID, kv.NamespaceBulkDeleteParams{
			AccountID: cloudflare.F(c.AccountID),
			Body:      keys[start:end],
		})
		if err != nil {
			return fmt.Errorf("kv bulk delete [%d:%d]: %w", start, end, err)
		}
	}
	return nil
}
