// Package cfkv is the backend's adapter over the Workers KV REST API
// (cloudflare-go v4). Handlers and jobs in the origin use it to publish
// read-shaped projections that the edge Worker serves.
package cfkv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
	"github.com/cloudflare/cloudflare-go/v4/option"
)

// ErrNotFound is returned by Get when the key does not exist.
var ErrNotFound = errors.New("cfkv: key not found")

// maxBulk is the largest batch the bulk endpoints accept.
const maxBulk = 10_000

// Client talks to the KV namespaces of one account.
type Client struct {
	api     *cloudflare.Client
	account string
}

// New returns a client authenticated with an API token.
func New(token, account string) *Client {
	return &Client{
		api:     cloudflare.NewClient(option.WithAPIToken(token), option.WithMaxRetries(2)),
		account: account,
	}
}

var (
	defaultOnce   sync.Once
	defaultClient *Client
)

// Default returns the process-wide client built from the standard
// CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID variables.
func Default() *Client {
	defaultOnce.Do(func() {
		defaultClient = New(os.Getenv("CLOUDFLARE_API_TOKEN"), os.Getenv("CLOUDFLARE_ACCOUNT_ID"))
	})
	return defaultClient
}

// API exposes the underlying SDK client for the few callers (the admin
// CLI) that need endpoints this package does not wrap.
func (c *Client) API() *cloudflare.Client { return c.api }

// Account returns the account ID the client was built for.
func (c *Client) Account() string { return c.account }

// Namespace is one KV namespace addressed through the REST API.
type Namespace struct {
	c  *Client
	ID string
}

// Namespace binds a namespace ID to the client.
func (c *Client) Namespace(id string) Namespace { return Namespace{c: c, ID: id} }

// Get returns the raw value stored under key, or ErrNotFound.
func (n Namespace) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := n.c.api.KV.Namespaces.Values.Get(ctx, n.ID, url.PathEscape(key), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(n.c.account),
	})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("kv get %q: %w", key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// Put stores value under key. A zero ttl means the value never expires.
func (n Namespace) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(n.c.account),
		Value:     cloudflare.F(string(value)),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	_, err := n.c.api.KV.Namespaces.Values.Update(ctx, n.ID, url.PathEscape(key), params)
	if err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// PutUntil stores value under key until the absolute time at.
func (n Namespace) PutUntil(ctx context.Context, key string, value []byte, at time.Time) error {
	_, err := n.c.api.KV.Namespaces.Values.Update(ctx, n.ID, url.PathEscape(key), kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(n.c.account),
		Value:      cloudflare.F(string(value)),
		Expiration: cloudflare.F(float64(at.Unix())),
	})
	if err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// Delete removes key. Deleting a missing key is not an error.
func (n Namespace) Delete(ctx context.Context, key string) error {
	_, err := n.c.api.KV.Namespaces.Values.Delete(ctx, n.ID, url.PathEscape(key), kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(n.c.account),
	})
	return err
}

// Page is one page of key names.
type Page struct {
	Keys   []string
	Cursor string // empty when there is nothing more to fetch
}

// ListPage fetches one page of keys under prefix starting at cursor.
func (n Namespace) ListPage(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(n.c.account),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(limit)),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	res, err := n.c.api.KV.Namespaces.Keys.List(ctx, n.ID, params)
	if err != nil {
		return Page{}, err
	}
	p := Page{Cursor: res.ResultInfo.Cursor, Keys: make([]string, 0, len(res.Result))}
	for _, k := range res.Result {
		p.Keys = append(p.Keys, k.Name)
	}
	return p, nil
}

// Entry is one pair for PutMany.
type Entry struct {
	Key      string
	Value    string
	TTL      time.Duration
	Metadata any
}

// PutMany writes entries with the bulk endpoint, maxBulk pairs per request.
func (n Namespace) PutMany(ctx context.Context, entries []Entry) error {
	for start := 0; start < len(entries); start += maxBulk {
		end := min(start+maxBulk, len(entries))
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, end-start)
		for _, e := range entries[start:end] {
			b := kv.NamespaceBulkUpdateParamsBody{
				Key:   cloudflare.F(e.Key),
				Value: cloudflare.F(e.Value),
			}
			if e.TTL > 0 {
				b.ExpirationTTL = cloudflare.F(max(e.TTL, time.Minute).Seconds())
			}
			if e.Metadata != nil {
				b.Metadata = cloudflare.F(e.Metadata)
			}
			body = append(body, b)
		}
		if _, err := n.c.api.KV.Namespaces.BulkUpdate(ctx, n.ID, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(n.c.account),
			Body:      body,
		}); err != nil {
			return fmt.Errorf("kv bulk put [%d:%d]: %w", start, end, err)
		}
	}
	return nil
}

// DeleteMany removes keys with the bulk endpoint.
func (n Namespace) DeleteMany(ctx context.Context, keys []string) error {
	for start := 0; start < len(keys); start += maxBulk {
		end := min(start+maxBulk, len(keys))
		if _, err := n.c.api.KV.Namespaces.BulkDelete(ctx, n.ID, kv.NamespaceBulkDeleteParams{
			AccountID: cloudflare.F(n.c.account),
			Body:      keys[start:end],
		}); err != nil {
			return err
		}
	}
	return nil
}
