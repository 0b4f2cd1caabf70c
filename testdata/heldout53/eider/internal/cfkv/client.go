// Package cfkv is the backend's adapter over the Workers KV REST API.
package cfkv

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/option"
)

// ErrNotFound is returned by Get for a key that does not exist.
var ErrNotFound = errors.New("cfkv: not found")

// MaxBulk is the number of pairs the bulk endpoints accept per request.
const MaxBulk = 10000

// Client talks to one account's KV namespaces.
type Client struct {
	api     *cloudflare.Client
	account string
}

var (
	defaultOnce   sync.Once
	defaultClient *Client
)

// Default returns the process-wide client built from CLOUDFLARE_API_TOKEN
// and CLOUDFLARE_ACCOUNT_ID.
func Default() *Client {
	defaultOnce.Do(func() {
		defaultClient = New(os.Getenv("CLOUDFLARE_ACCOUNT_ID"), option.WithAPIToken(os.Getenv("CLOUDFLARE_API_TOKEN")))
	})
	return defaultClient
}

// New returns a client for account.
func New(account string, opts ...option.RequestOption) *Client {
	return &Client{api: cloudflare.NewClient(opts...), account: account}
}

// API exposes the SDK client for calls the adapter does not wrap.
func (c *Client) API() *cloudflare.Client { return c.api }

// Account returns the account ID.
func (c *Client) Account() string { return c.account }

// Get returns the value under key. A missing key gives ErrNotFound.
func (c *Client) Get(ctx context.Context, ns, key string) ([]byte, error) {
	res, err := c.api.KV.Namespaces.Values.Get(ctx, ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(c.account)})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("kv get %s: %w", key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// Put writes value under key. A zero ttl stores the key without expiration.
func (c *Client) Put(ctx context.Context, ns, key, value string, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(c.account),
		Value:     cloudflare.F(value),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	_, err := c.api.KV.Namespaces.Values.Update(ctx, ns, key, params)
	if err != nil {
		return fmt.Errorf("kv put %s: %w", key, err)
	}
	return nil
}

// Delete removes key.
func (c *Client) Delete(ctx context.Context, ns, key string) error {
	_, err := c.api.KV.Namespaces.Values.Delete(ctx, ns, key, kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(c.account)})
	return err
}

// ListPage returns one page of key names under prefix and the cursor of
// the next page, "" when there is none.
func (c *Client) ListPage(ctx context.Context, ns, prefix, cursor string, limit int) ([]kv.Key, string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(c.account),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(min(max(limit, 10), 1000))),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := c.api.KV.Namespaces.Keys.List(ctx, ns, params)
	if err != nil {
		return nil, "", err
	}
	return page.Result, page.ResultInfo.Cursors.After, nil
}

// BulkPut writes pairs in requests of at most MaxBulk pairs.
func (c *Client) BulkPut(ctx context.Context, ns string, pairs []kv.NamespaceBulkUpdateParamsBody) error {
	for start := 0; start < len(pairs); start += MaxBulk {
		end := min(start+MaxBulk, len(pairs))
		_, err := c.api.KV.Namespaces.BulkUpdate(ctx, ns, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(c.account),
			Body:      pairs[start:end],
		})
		if err != nil {
			return fmt.Errorf("kv bulk put [%d:%d]: %w", start, end, err)
		}
	}
	return nil
}

// Store is the port backend services are written against.
type Store[K ~string, V any] interface {
	Get(ctx context.Context, k K) (V, error)
	Put(ctx context.Context, k K, v V, ttl time.Duration) error
}

// JSONStore keeps JSON values under a prefix of one namespace.
type JSONStore[K ~string, V any] struct {
	c      *Client
	ns     string
	prefix string
}

// NewJSONStore returns the KV implementation of Store.
func NewJSONStore[K ~string, V any](c *Client, ns, prefix string) Store[K, V] {
	return &JSONStore[K, V]{c: c, ns: ns, prefix: prefix}
}

func (s *JSONStore[K, V]) Get(ctx context.Context, k K) (V, error) {
	var v V
	raw, err := s.c.Get(ctx, s.ns, s.prefix+string(k))
	if err != nil {
		return v, err
	}
	return v, json.Unmarshal(raw, &v)
}

func (s *JSONStore[K, V]) Put(ctx context.Context, k K, v V, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.c.Put(ctx, s.ns, s.prefix+string(k), string(b), ttl)
}
