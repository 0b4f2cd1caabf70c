// Package cfkv implements kvstore.Store on Workers KV through the Cloudflare
// REST API (cloudflare-go v6).
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

	"example.com/estuary/internal/kvstore"
)

// Adapter is a kvstore.Store backed by one KV namespace.
type Adapter struct {
	client    *cloudflare.Client
	accountID string
	namespace string
}

var _ kvstore.Store = (*Adapter)(nil)

// New returns an Adapter for namespace in accountID.
func New(client *cloudflare.Client, accountID, namespace string) *Adapter {
	return &Adapter{client: client, accountID: accountID, namespace: namespace}
}

// Namespace returns the namespace ID, for log lines.
func (a *Adapter) Namespace() string { return a.namespace }

func (a *Adapter) values() *kv.NamespaceValueService { return a.client.KV.Namespaces.Values }

// Get implements kvstore.Store.
func (a *Adapter) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := a.values().Get(ctx, a.namespace, url.PathEscape(key), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(a.accountID),
	})
	if err != nil {
		if statusOf(err) == http.StatusNotFound {
			return nil, &kvstore.NotFoundError{Key: key}
		}
		return nil, &kvstore.OpError{Op: "get", Key: key, Err: err}
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, &kvstore.OpError{Op: "get", Key: key, Err: err}
	}
	return b, nil
}

// Put implements kvstore.Store.
func (a *Adapter) Put(ctx context.Context, key string, value []byte, opts kvstore.PutOptions) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(a.accountID),
		Value:     cloudflare.F(string(value)),
	}
	if opts.TTL > 0 {
		params.ExpirationTTL = cloudflare.F(float64(int(opts.TTL / time.Second)))
	}
	if !opts.ExpireAt.IsZero() {
		params.Expiration = cloudflare.F(float64(opts.ExpireAt.Unix()))
	}
	if opts.Metadata != nil {
		params.Metadata = cloudflare.F[any](opts.Metadata)
	}
	if _, err := a.values().Update(ctx, a.namespace, url.PathEscape(key), params); err != nil {
		return &kvstore.OpError{Op: "put", Key: key, Err: err}
	}
	return nil
}

// Delete implements kvstore.Store. Deleting a missing key is not an error.
func (a *Adapter) Delete(ctx context.Context, key string) error {
	_, err := a.values().Delete(ctx, a.namespace, url.PathEscape(key), kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(a.accountID),
	})
	if err != nil && statusOf(err) != http.StatusNotFound {
		return &kvstore.OpError{Op: "delete", Key: key, Err: err}
	}
	return nil
}

// List implements kvstore.Store. It returns one page and its cursor.
func (a *Adapter) List(ctx context.Context, prefix, cursor string, limit int) (kvstore.Page, error) {
	params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(a.accountID)}
	if prefix != "" {
		params.Prefix = cloudflare.F(prefix)
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	if limit > 0 {
		params.Limit = cloudflare.F(float64(limit))
	}
	res, err := a.client.KV.Namespaces.Keys.List(ctx, a.namespace, params)
	if err != nil {
		return kvstore.Page{}, &kvstore.OpError{Op: "list", Key: prefix, Err: err}
	}
	page := kvstore.Page{Cursor: res.ResultInfo.Cursors.After}
	for _, k := range res.Result {
		info := kvstore.KeyInfo{Name: k.Name, Expiration: int64(k.Expiration)}
		if m, ok := k.Metadata.(map[string]any); ok {
			info.Metadata = m
		}
		page.Keys = append(page.Keys, info)
	}
	return page, nil
}

// Keys streams every key name under prefix. The error channel receives at
// most one error and is closed together with the key channel.
func (a *Adapter) Keys(ctx context.Context, prefix string) (<-chan string, <-chan error) {
	keys := make(chan string, 64)
	errc := make(chan error, 1)
	go func() {
		defer close(keys)
		defer close(errc)
		params := kv.NamespaceKeyListParams{
			AccountID: cloudflare.F(a.accountID),
			Prefix:    cloudflare.F(prefix),
		}
		for {
			res, err := a.client.KV.Namespaces.Keys.List(ctx, a.namespace, params) // EXPECT kvlist
			if err != nil {
				errc <- fmt.Errorf("cfkv: listing %q: %w", prefix, err)
				return
			}
			for _, k := range res.Result {
				select {
				case keys <- k.Name:
				case <-ctx.Done():
					errc <- ctx.Err()
					return
				}
			}
			next := res.ResultInfo.Cursors.After
			if next == "" {
				return
			}
			params.Cursor = cloudflare.F(next)
		}
	}()
	return keys, errc
}

// statusOf returns the HTTP status of an API error, or 0.
func statusOf(err error) int {
	var apiErr *cloudflare.Error
	if errors.As(err, &apiErr) {
		return apiErr.StatusCode
	}
	return 0
}
