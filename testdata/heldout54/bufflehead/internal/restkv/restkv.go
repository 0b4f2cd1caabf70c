// Package restkv is the backend's adapter over the Cloudflare REST API for
// Workers KV. Misses are reported as ErrNotFound.
package restkv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"
	"github.com/cloudflare/cloudflare-go/v5/option"
)

// ErrNotFound is returned when a key does not exist.
var ErrNotFound = errors.New("restkv: not found")

// Client talks to one namespace.
type Client struct {
	API         *cloudflare.Client
	AccountID   string
	NamespaceID string
}

// New returns a client for the namespace, authenticated with token.
func New(token, accountID, namespaceID string) *Client {
	return &Client{
		API:         cloudflare.NewClient(option.WithAPIToken(token), option.WithMaxRetries(3)),
		AccountID:   accountID,
		NamespaceID: namespaceID,
	}
}

func isNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Get returns the raw value stored under key.
func (c *Client) Get(ctx context.Context, key string) ([]byte, error) {
	resp, err := c.API.KV.Namespaces.Values.Get(ctx, c.NamespaceID, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(c.AccountID),
	})
	if err != nil {
		if isNotFound(err) {
			return nil, fmt.Errorf("restkv: get %s: %w", key, ErrNotFound)
		}
		return nil, fmt.Errorf("restkv: get %s: %w", key, err)
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// Lookup is Get with the miss reported as ok == false.
func (c *Client) Lookup(ctx context.Context, key string) ([]byte, bool, error) {
	v, err := c.Get(ctx, key)
	if errors.Is(err, ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return v, true, nil
}

// PutOptions control expiry and metadata of a write.
type PutOptions struct {
	TTL       time.Duration
	ExpiresAt time.Time
	Metadata  any
}

// Put stores value under key.
func (c *Client) Put(ctx context.Context, key string, value []byte, o PutOptions) error {
	p := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(c.AccountID),
		Value:     cloudflare.F(string(value)),
	}
	if o.TTL > 0 {
		p.ExpirationTTL = cloudflare.F(o.TTL.Seconds())
	}
	if !o.ExpiresAt.IsZero() {
		p.Expiration = cloudflare.F(float64(o.ExpiresAt.Unix()))
	}
	if o.Metadata != nil {
		p.Metadata = cloudflare.F(o.Metadata)
	}
	if _, err := c.API.KV.Namespaces.Values.Update(ctx, c.NamespaceID, key, p); err != nil {
		return fmt.Errorf("restkv: put %s: %w", key, err)
	}
	return nil
}

// Delete removes key.
func (c *Client) Delete(ctx context.Context, key string) error {
	_, err := c.API.KV.Namespaces.Values.Delete(ctx, c.NamespaceID, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(c.AccountID),
	})
	if err != nil && !isNotFound(err) {
		return fmt.Errorf("restkv: delete %s: %w", key, err)
	}
	return nil
}

// Page is one page of key names with their metadata.
type Page struct {
	Keys   []kv.Key
	Cursor string
}

// ListPage returns one page of keys under prefix.
func (c *Client) ListPage(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	p := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(c.AccountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(limit)),
	}
	if cursor != "" {
		p.Cursor = cloudflare.F(cursor)
	}
	res, err := c.API.KV.Namespaces.Keys.List(ctx, c.NamespaceID, p)
	if err != nil {
		return Page{}, fmt.Errorf("restkv: list %s: %w", prefix, err)
	}
	return Page{Keys: res.Result, Cursor: res.ResultInfo.Cursor}, nil
}

// Entry is one pair of a bulk write.
type Entry struct {
	Key      string
	Value    string
	TTL      time.Duration
	Metadata any
}

// BulkPut writes entries in one request. The API accepts at most 10,000.
func (c *Client) BulkPut(ctx context.Context, entries []Entry) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(entries))
	for _, e := range entries {
		b := kv.NamespaceBulkUpdateParamsBody{Key: cloudflare.F(e.Key), Value: cloudflare.F(e.Value)}
		if e.TTL > 0 {
			b.ExpirationTTL = cloudflare.F(e.TTL.Seconds())
		}
		if e.Metadata != nil {
			b.Metadata = cloudflare.F(e.Metadata)
		}
		body = append(body, b)
	}
	_, err := c.API.KV.Namespaces.BulkUpdate(ctx, c.NamespaceID, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(c.AccountID),
		Body:      body,
	})
	if err != nil {
		return fmt.Errorf("restkv: bulk put (%d): %w", len(entries), err)
	}
	return nil
}

// BulkDelete removes keys in one request.
func (c *Client) BulkDelete(ctx context.Context, keys []string) error {
	_, err := c.API.KV.Namespaces.BulkDelete(ctx, c.NamespaceID, kv.NamespaceBulkDeleteParams{
		AccountID: cloudflare.F(c.AccountID),
		Body:      keys,
	})
	return err
}
