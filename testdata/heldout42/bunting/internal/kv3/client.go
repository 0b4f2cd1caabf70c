// Package kv3 wraps the generated cloudflare-go/v3 client for the consent and
// audit services, which were written after the v3 SDK was adopted.
package kv3

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"
	"github.com/cloudflare/cloudflare-go/v3/option"
)

// Namespace is a KV namespace ID.
type Namespace string

// BulkEntry is one element of a bulk write.
type BulkEntry = kv.NamespaceBulkUpdateParamsBody

// ListParams are the SDK's list parameters.
type ListParams = kv.NamespaceKeyListParams

// Client talks to one account's KV namespaces.
type Client struct {
	cf      *cloudflare.Client
	account string
	timeout time.Duration
}

// NewClient builds a client with an API token.
func NewClient(token, account string) *Client {
	return &Client{
		cf:      cloudflare.NewClient(option.WithAPIToken(token)),
		account: account,
		timeout: 8 * time.Second,
	}
}

// SDK returns the generated client.
func (c *Client) SDK() *cloudflare.Client { return c.cf }

// Account returns the account identifier as an SDK field.
func (c *Client) Account() string { return c.account }

// IsMissing reports whether err is a 404 from the values endpoint.
func IsMissing(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Read returns the bytes stored at key.
func (c *Client) Read(ctx context.Context, ns Namespace, key string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	res, err := c.cf.KV.Namespaces.Values.Get(ctx, string(ns), key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(c.account),
	})
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// ReadJSON decodes the value at key into out.
func (c *Client) ReadJSON(ctx context.Context, ns Namespace, key string, out any) error {
	raw, err := c.Read(ctx, ns, key)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, out)
}

// Write stores value at key with metadata. ttlSeconds of zero means no expiry.
func (c *Client) Write(ctx context.Context, ns Namespace, key string, value []byte, metadata any, ttlSeconds int) error {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	meta := "{}"
	if metadata != nil {
		b, err := json.Marshal(metadata)
		if err != nil {
			return err
		}
		meta = string(b)
	}
	var opts []option.RequestOption
	if ttlSeconds > 0 {
		opts = append(opts, option.WithQuery("expiration_ttl", strconv.Itoa(ttlSeconds)))
	}
	_, err := c.cf.KV.Namespaces.Values.Update(ctx, string(ns), key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(c.account),
		Metadata:  cloudflare.F(meta),
		Value:     cloudflare.F(string(value)),
	}, opts...)
	return err
}

// WriteJSON encodes v and stores it with a lifetime.
func (c *Client) WriteJSON(ctx context.Context, ns Namespace, key string, v any, ttl time.Duration) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return c.Write(ctx, ns, key, raw, nil, int(ttl/time.Second))
}

// Remove deletes key.
func (c *Client) Remove(ctx context.Context, ns Namespace, key string) error {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	_, err := c.cf.KV.Namespaces.Values.Delete(ctx, string(ns), key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(c.account),
	})
	return err
}

// Bulk sends entries in one request.
func (c *Client) Bulk(ctx context.Context, ns Namespace, entries []BulkEntry) error {
	if len(entries) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 4*c.timeout)
	defer cancel()
	_, err := c.cf.KV.Namespaces.Bulk.Update(ctx, string(ns), kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(c.account),
		Body:      entries,
	})
	if err != nil {
		return fmt.Errorf("bulk write of %d entries: %w", len(entries), err)
	}
	return nil
}

// BaseList returns list parameters for prefix with the account filled in and
// a full page requested.
func (c *Client) BaseList(prefix string) ListParams {
	return ListParams{
		AccountID: cloudflare.F(c.account),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(1000.0),
	}
}

// Entry builds a bulk element for key and value.
func Entry(key string, value []byte) BulkEntry {
	return BulkEntry{
		Key:   cloudflare.F(key),
		Value: cloudflare.F(string(value)),
	}
}
