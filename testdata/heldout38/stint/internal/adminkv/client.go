// Package adminkv is the backend's access to Workers KV through the
// Cloudflare REST API.
package adminkv

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"
	"github.com/cloudflare/cloudflare-go/v3/option"
)

// ErrNotFound is returned when a key does not exist.
var ErrNotFound = errors.New("adminkv: not found")

// MaxBulk is the largest batch the bulk endpoint accepts.
const MaxBulk = 10_000

// Client talks to one namespace.
type Client struct {
	cf        *cloudflare.Client
	account   string
	namespace string
}

// New returns a Client for namespace in account, authenticated with token.
func New(token, account, namespace string) *Client {
	return &Client{
		cf:        cloudflare.NewClient(option.WithAPIToken(token), option.WithMaxRetries(3)),
		account:   account,
		namespace: namespace,
	}
}

// SDK exposes the underlying client for calls this package does not wrap.
func (c *Client) SDK() *cloudflare.Client { return c.cf }

// Account returns the account ID.
func (c *Client) Account() string { return c.account }

// Namespace returns the namespace ID.
func (c *Client) Namespace() string { return c.namespace }

// Get returns the value of key, or ErrNotFound.
func (c *Client) Get(ctx context.Context, key string) ([]byte, error) {
	resp, err := c.cf.KV.Namespaces.Values.Get(ctx, c.namespace, url.PathEscape(key), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(c.account),
	})
	var apiErr *cloudflare.Error
	if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("kv get %q: %w", key, err)
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// putValue performs a single write. Tests replace it.
var putValue = realPut

func realPut(ctx context.Context, c *Client, key string, value []byte, metadata string) error {
	_, err := c.cf.KV.Namespaces.Values.Update(ctx, c.namespace, url.PathEscape(key), kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(c.account),
		Metadata:  cloudflare.F(metadata),
		Value:     cloudflare.F(string(value)),
	})
	if err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// Put writes value under key without expiry.
func (c *Client) Put(ctx context.Context, key string, value []byte) error {
	return putValue(ctx, c, key, value, "{}")
}

// PutWithMeta writes value and metadata under key.
func (c *Client) PutWithMeta(ctx context.Context, key string, value []byte, meta map[string]any) error {
	b, err := json.Marshal(meta)
	if err != nil {
		return err
	}
	return putValue(ctx, c, key, value, string(b))
}

// Delete removes key.
func (c *Client) Delete(ctx context.Context, key string) error {
	_, err := c.cf.KV.Namespaces.Values.Delete(ctx, c.namespace, url.PathEscape(key), kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(c.account),
	})
	var apiErr *cloudflare.Error
	if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
		return nil
	}
	return err
}

// Entry is one pair of a bulk write.
type Entry struct {
	Key       string
	Value     string
	TTL       time.Duration
	ExpiresAt time.Time
	Metadata  map[string]any
}

// PutMany writes entries in batches the bulk endpoint accepts.
func (c *Client) PutMany(ctx context.Context, entries []Entry) error {
	for start := 0; start < len(entries); start += MaxBulk {
		end := min(start+MaxBulk, len(entries))
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, end-start)
		for _, e := range entries[start:end] {
			b := kv.NamespaceBulkUpdateParamsBody{
				Key:   cloudflare.F(e.Key),
				Value: cloudflare.F(e.Value),
			}
			if e.TTL > 0 {
				b.ExpirationTTL = cloudflare.F(float64(e.TTL)) // EXPECT kvttl
			} else if !e.ExpiresAt.IsZero() {
				b.Expiration = cloudflare.F(float64(e.ExpiresAt.Unix()))
			}
			if e.Metadata != nil {
				b.Metadata = cloudflare.F(e.Metadata)
			}
			body = append(body, b)
		}
		_, err := c.cf.KV.Namespaces.Bulk.Update(ctx, c.namespace, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(c.account),
			Body:      body,
		})
		if err != nil {
			return fmt.Errorf("kv bulk [%d:%d]: %w", start, end, err)
		}
	}
	return nil
}

// Page returns one page of keys under prefix and the cursor for the next
// page ("" at the end).
func (c *Client) Page(ctx context.Context, prefix, cursor string, limit int) ([]kv.Key, string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(c.account),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(limit)),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := c.cf.KV.Namespaces.Keys.List(ctx, c.namespace, params)
	if err != nil {
		return nil, "", err
	}
	return page.Result, page.ResultInfo.Cursor, nil
}

// Writer writes one value.
type Writer func(ctx context.Context, key string, value []byte) error

// JSON encodes v and writes it.
func (w Writer) JSON(ctx context.Context, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return w(ctx, key, b)
}

// Prefix is a key prefix.
type Prefix string

// ErrBudget is returned when Each stops before the end of the listing.
var ErrBudget = errors.New("adminkv: page budget exhausted")

// Each calls fn for every key under p, reading at most maxPages pages.
func (p Prefix) Each(ctx context.Context, c *Client, maxPages int, fn func(kv.Key) error) error {
	cursor := ""
	for range maxPages {
		keys, next, err := c.Page(ctx, string(p), cursor, 1000)
		if err != nil {
			return err
		}
		for _, k := range keys {
			if err := fn(k); err != nil {
				return err
			}
		}
		if next == "" {
			return nil
		}
		cursor = next
	}
	return ErrBudget
}
