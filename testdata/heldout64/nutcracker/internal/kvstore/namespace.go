// Package kvstore is the backend's thin adapter over the Workers KV REST API
// (cloudflare-go v4). Everything in the control plane that talks to KV goes
// through a *Namespace so that account and namespace IDs live in one place.
package kvstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
	"github.com/cloudflare/cloudflare-go/v4/packages/pagination"
)

// ErrNotFound is returned by Get and Metadata when the key does not exist.
var ErrNotFound = errors.New("kvstore: key not found")

// Namespace is one KV namespace in one account.
type Namespace struct {
	api       *cloudflare.Client
	accountID string
	id        string
}

// New binds a client to a namespace.
func New(api *cloudflare.Client, accountID, namespaceID string) *Namespace {
	return &Namespace{api: api, accountID: accountID, id: namespaceID}
}

// SDK exposes the underlying client for the few call sites that need request
// shapes the adapter does not model (bulk writes with metadata).
func (n *Namespace) SDK() (api *cloudflare.Client, accountID, namespaceID string) {
	return n.api, n.accountID, n.id
}

func isNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Get returns the raw value stored under key, or ErrNotFound.
func (n *Namespace) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := n.api.KV.Namespaces.Values.Get(ctx, n.id, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(n.accountID),
	})
	if err != nil {
		if isNotFound(err) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("kv get %q: %w", key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// Put stores value under key. A zero ttl stores the value without expiry.
func (n *Namespace) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return n.put(ctx, key, value, ttl, nil)
}

// PutWithMetadata is Put with a metadata object that list results carry.
func (n *Namespace) PutWithMetadata(ctx context.Context, key string, value []byte, ttl time.Duration, meta any) error {
	return n.put(ctx, key, value, ttl, meta)
}

func (n *Namespace) put(ctx context.Context, key string, value []byte, ttl time.Duration, meta any) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(n.accountID),
		Value:     cloudflare.F(string(value)),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(float64(int(ttl.Seconds())))
	}
	if meta != nil {
		params.Metadata = cloudflare.F(meta)
	}
	if _, err := n.api.KV.Namespaces.Values.Update(ctx, n.id, key, params); err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// PutLease stores a short-lived value. KV does not accept expirations under a
// minute, so shorter leases are rounded up.
func (n *Namespace) PutLease(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return n.Put(ctx, key, value, ttl)
}

// PutAt stores value with an absolute expiry given in epoch seconds.
func (n *Namespace) PutAt(ctx context.Context, key string, value []byte, expiresAt int64) error {
	_, err := n.api.KV.Namespaces.Values.Update(ctx, n.id, key, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(n.accountID),
		Value:      cloudflare.F(string(value)),
		Expiration: cloudflare.F(float64(expiresAt)),
	})
	if err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// Delete removes key. Deleting a missing key is not an error.
func (n *Namespace) Delete(ctx context.Context, key string) error {
	_, err := n.api.KV.Namespaces.Values.Delete(ctx, n.id, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(n.accountID),
	})
	if err != nil && !isNotFound(err) {
		return fmt.Errorf("kv delete %q: %w", key, err)
	}
	return nil
}

// Metadata returns the metadata object stored with key.
func (n *Namespace) Metadata(ctx context.Context, key string) (map[string]any, error) {
	res, err := n.api.KV.Namespaces.Metadata.Get(ctx, n.id, key, kv.NamespaceMetadataGetParams{
		AccountID: cloudflare.F(n.accountID),
	})
	if err != nil {
		if isNotFound(err) {
			return nil, ErrNotFound
		}
		return nil, err
	}
	if m, ok := (*res).(map[string]any); ok {
		return m, nil
	}
	return map[string]any{}, nil
}

// Page is one page of a key listing.
type Page struct {
	Keys     []string
	Metadata map[string]any
	Cursor   string // empty when there are no further pages
}

// ListPage fetches a single page of keys under prefix starting at cursor.
func (n *Namespace) ListPage(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(n.accountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(limit)),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	res, err := n.api.KV.Namespaces.Keys.List(ctx, n.id, params)
	if err != nil {
		return Page{}, fmt.Errorf("kv list %q: %w", prefix, err)
	}
	page := Page{Cursor: res.ResultInfo.Cursor, Metadata: make(map[string]any, len(res.Result))}
	for _, k := range res.Result {
		page.Keys = append(page.Keys, k.Name)
		if k.Metadata != nil {
			page.Metadata[k.Name] = k.Metadata
		}
	}
	return page, nil
}

// Iterate returns the SDK's auto-pager over every key under prefix.
func (n *Namespace) Iterate(ctx context.Context, prefix string) *pagination.CursorLimitPaginationAutoPager[kv.Key] {
	return n.api.KV.Namespaces.Keys.ListAutoPaging(ctx, n.id, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(n.accountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(1000.0),
	})
}

// BulkDelete removes up to 10,000 keys per request.
func (n *Namespace) BulkDelete(ctx context.Context, keys []string) error {
	for start := 0; start < len(keys); start += 10000 {
		end := min(start+10000, len(keys))
		_, err := n.api.KV.Namespaces.BulkDelete(ctx, n.id, kv.NamespaceBulkDeleteParams{
			AccountID: cloudflare.F(n.accountID),
			Body:      keys[start:end],
		})
		if err != nil {
			return fmt.Errorf("kv bulk delete: %w", err)
		}
	}
	return nil
}
