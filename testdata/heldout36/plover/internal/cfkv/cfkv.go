// Package cfkv is the backend's view of the flag namespace through the
// Cloudflare REST API. It is used by ploverctl and the nightly jobs.
package cfkv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"
	"github.com/cloudflare/cloudflare-go/v3/option"
)

// MaxBulk is the most pairs the bulk endpoint accepts in one request.
const MaxBulk = 10000

// ErrExists is returned by Create when the key is already present.
var ErrExists = errors.New("cfkv: key exists")

// Client talks to one namespace.
type Client struct {
	API       *cloudflare.Client
	AccountID string
	Namespace string
}

// New returns a client authenticated with token.
func New(token, accountID, namespace string) *Client {
	return &Client{
		API:       cloudflare.NewClient(option.WithAPIToken(token), option.WithMaxRetries(3)),
		AccountID: accountID,
		Namespace: namespace,
	}
}

func isNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Get reads a value. found is false when the key does not exist.
func (c *Client) Get(ctx context.Context, key string) ([]byte, bool, error) {
	res, err := c.API.KV.Namespaces.Values.Get(ctx, c.Namespace, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(c.AccountID),
	})
	if isNotFound(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("get %s: %w", key, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, false, fmt.Errorf("get %s: %w", key, err)
	}
	return b, true, nil
}

// Put writes a value. A ttl under a minute is raised to a minute; zero means
// no expiry.
func (c *Client) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	var opts []option.RequestOption
	if ttl > 0 {
		if ttl < time.Minute {
			ttl = time.Minute
		}
		opts = append(opts, option.WithQuery("expiration_ttl", strconv.Itoa(int(ttl/time.Second))))
	}
	_, err := c.API.KV.Namespaces.Values.Update(ctx, c.Namespace, key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(c.AccountID),
		Metadata:  cloudflare.F("{}"),
		Value:     cloudflare.F(string(value)),
	}, opts...)
	if err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	return nil
}

// Delete removes a key.
func (c *Client) Delete(ctx context.Context, key string) error {
	_, err := c.API.KV.Namespaces.Values.Delete(ctx, c.Namespace, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(c.AccountID),
	})
	if err != nil && !isNotFound(err) {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	return nil
}

// BulkPut writes pairs in requests of at most MaxBulk.
func (c *Client) BulkPut(ctx context.Context, pairs []kv.NamespaceBulkUpdateParamsBody) error {
	for start := 0; start < len(pairs); start += MaxBulk {
		end := min(start+MaxBulk, len(pairs))
		if _, err := c.API.KV.Namespaces.Bulk.Update(ctx, c.Namespace, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(c.AccountID),
			Body:      pairs[start:end],
		}); err != nil {
			return fmt.Errorf("bulk put [%d:%d]: %w", start, end, err)
		}
	}
	return nil
}

// BulkDelete removes keys in requests of at most MaxBulk.
func (c *Client) BulkDelete(ctx context.Context, keys []string) error {
	for start := 0; start < len(keys); start += MaxBulk {
		end := min(start+MaxBulk, len(keys))
		if _, err := c.API.KV.Namespaces.Bulk.Delete(ctx, c.Namespace, kv.NamespaceBulkDeleteParams{
			AccountID: cloudflare.F(c.AccountID),
		}, option.WithRequestBody("application/json", keys[start:end])); err != nil {
			return fmt.Errorf("bulk delete [%d:%d]: %w", start, end, err)
		}
	}
	return nil
}

// Keys returns one page of keys and the cursor for the next page ("" when
// there is none).
func (c *Client) Keys(ctx context.Context, prefix, cursor string, limit int) ([]kv.Key, string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(c.AccountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(limit)),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := c.API.KV.Namespaces.Keys.List(ctx, c.Namespace, params)
	if err != nil {
		return nil, "", fmt.Errorf("list %s: %w", prefix, err)
	}
	return page.Result, page.ResultInfo.Cursor, nil
}
