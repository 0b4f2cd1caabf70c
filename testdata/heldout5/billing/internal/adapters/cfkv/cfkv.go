// Package cfkv implements kvstore.KV on top of the Cloudflare Go SDK (v4).
package cfkv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"example.com/billing/internal/kvstore"
)

// Adapter is a kvstore.KV bound to one Workers KV namespace.
type Adapter struct {
	namespaces *kv.NamespaceService
	accountID  string
	namespace  string
	pageSize   int
	maxValue   int64
}

// Option configures an Adapter.
type Option func(*Adapter)

// WithPageSize sets the list page size (10..1000 for the REST API).
func WithPageSize(n int) Option {
	return func(a *Adapter) {
		if n >= 10 && n <= 1000 {
			a.pageSize = n
		}
	}
}

// WithMaxValueSize caps the bytes read from a single value.
func WithMaxValueSize(n int64) Option {
	return func(a *Adapter) { a.maxValue = n }
}

// New binds an adapter to accountID/namespaceID.
func New(client *cloudflare.Client, accountID, namespaceID string, opts ...Option) *Adapter {
	a := &Adapter{
		namespaces: client.KV.Namespaces,
		accountID:  accountID,
		namespace:  namespaceID,
		pageSize:   1000,
		maxValue:   25 << 20,
	}
	for _, o := range opts {
		o(a)
	}
	return a
}

// Namespace returns the namespace ID the adapter writes to.
func (a *Adapter) Namespace() string { return a.namespace }

func isNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Get implements kvstore.KV.
func (a *Adapter) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := a.namespaces.Values.Get(ctx, a.namespace, url.PathEscape(key), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(a.accountID),
	})
	if err != nil {
		if isNotFound(err) {
			return nil, kvstore.ErrNotFound
		}
		return nil, fmt.Errorf("cfkv get %q: %w", key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(io.LimitReader(res.Body, a.maxValue))
}

// Put implements kvstore.KV.
func (a *Adapter) Put(ctx context.Context, key string, value []byte, opts ...kvstore.PutOption) error {
	o := kvstore.Resolve(opts)
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(a.accountID),
		Value:     cloudflare.F(string(value)),
	}
	if o.TTL > 0 {
		params.ExpirationTTL = cloudflare.F(float64(o.TTL / time.Second))
	}
	if !o.ExpireAt.IsZero() {
		params.Expiration = cloudflare.F(float64(o.ExpireAt.Unix()))
	}
	if o.Metadata != nil {
		params.Metadata = cloudflare.F[any](o.Metadata)
	}
	if _, err := a.namespaces.Values.Update(ctx, a.namespace, url.PathEscape(key), params); err != nil {
		return fmt.Errorf("cfkv put %q: %w", key, err)
	}
	return nil
}

// Delete implements kvstore.KV. Deleting a missing key is not an error.
func (a *Adapter) Delete(ctx context.Context, key string) error {
	_, err := a.namespaces.Values.Delete(ctx, a.namespace, url.PathEscape(key), kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(a.accountID),
	})
	if err != nil && !isNotFound(err) {
		return fmt.Errorf("cfkv delete %q: %w", key, err)
	}
	return nil
}

// List implements kvstore.KV and returns a single page.
func (a *Adapter) List(ctx context.Context, q kvstore.ListQuery) (kvstore.Page, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = a.pageSize
	}
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(a.accountID),
		Limit:     cloudflare.F(float64(limit)),
	}
	if q.Prefix != "" {
		params.Prefix = cloudflare.F(q.Prefix)
	}
	if q.Cursor != "" {
		params.Cursor = cloudflare.F(q.Cursor)
	}
	res, err := a.namespaces.Keys.List(ctx, a.namespace, params)
	if err != nil {
		return kvstore.Page{}, fmt.Errorf("cfkv list %q: %w", q.Prefix, err)
	}
	page := kvstore.Page{Cursor: res.ResultInfo.Cursor, Complete: res.ResultInfo.Cursor == ""}
	for _, k := range res.Result {
		page.Keys = append(page.Keys, toKeyInfo(k))
	}
	return page, nil
}

func toKeyInfo(k kv.Key) kvstore.KeyInfo {
	info := kvstore.KeyInfo{Name: k.Name}
	if k.Expiration > 0 {
		info.Expiration = time.Unix(int64(k.Expiration), 0)
	}
	if m, ok := k.Metadata.(map[string]any); ok {
		info.Metadata = m
	}
	return info
}

// KeysWithPrefix implements kvstore.Scanner using the SDK's auto-pager.
func (a *Adapter) KeysWithPrefix(ctx context.Context, prefix string) ([]string, error) {
	iter := a.namespaces.Keys.ListAutoPaging(ctx, a.namespace, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(a.accountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(a.pageSize)),
	})
	var names []string
	for iter.Next() {
		names = append(names, iter.Current().Name)
	}
	return names, iter.Err()
}

// PutMany implements kvstore.BulkWriter with the namespace bulk endpoint.
// The API accepts at most 10,000 pairs per request, so larger batches are
// split.
func (a *Adapter) PutMany(ctx context.Context, entries []kvstore.BulkEntry) error {
	const maxBatch = 10_000
	for start := 0; start < len(entries); start += maxBatch {
		end := min(start+maxBatch, len(entries))
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, end-start)
		for _, e := range entries[start:end] {
			item := kv.NamespaceBulkUpdateParamsBody{
				Key:   cloudflare.F(e.Key),
				Value: cloudflare.F(e.Value),
			}
			if e.ExpirationTTL > 0 {
				item.ExpirationTTL = cloudflare.F(float64(e.ExpirationTTL))
			}
			if e.Expiration > 0 {
				item.Expiration = cloudflare.F(float64(e.Expiration))
			}
			if e.Metadata != nil {
				item.Metadata = cloudflare.F[any](e.Metadata)
			}
			body = append(body, item)
		}
		res, err := a.namespaces.BulkUpdate(ctx, a.namespace, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(a.accountID),
			Body:      body,
		})
		if err != nil {
			return fmt.Errorf("cfkv bulk put: %w", err)
		}
		if res != nil && len(res.UnsuccessfulKeys) > 0 {
			return fmt.Errorf("cfkv bulk put: %d keys rejected (first %q)", len(res.UnsuccessfulKeys), res.UnsuccessfulKeys[0])
		}
	}
	return nil
}
