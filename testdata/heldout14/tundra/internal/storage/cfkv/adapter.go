// Package cfkv implements the storage port on Workers KV through the
// Cloudflare REST API (cloudflare-go v5).
package cfkv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"example.com/tundra/internal/storage"
)

// Adapter is one KV namespace seen through the storage port.
type Adapter struct {
	client    *cloudflare.Client
	accountID string
	namespace string
}

// New returns an adapter for namespaceID in accountID.
func New(client *cloudflare.Client, accountID, namespaceID string) *Adapter {
	return &Adapter{client: client, accountID: accountID, namespace: namespaceID}
}

// Get reads a value; a missing key yields storage.ErrNotFound.
func (a *Adapter) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := a.client.KV.Namespaces.Values.Get(ctx, a.namespace, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(a.accountID),
	})
	if err != nil {
		if IsNotFound(err) {
			return nil, storage.ErrNotFound
		}
		return nil, fmt.Errorf("kv get %q: %w", key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// Put writes value under key.
func (a *Adapter) Put(ctx context.Context, key string, value []byte, opts storage.WriteOpts) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(a.accountID),
		Value:     cloudflare.F(string(value)),
	}
	if opts.TTL > 0 {
		params.ExpirationTTL = cloudflare.F(opts.TTL.Seconds())
	}
	if !opts.ExpireAt.IsZero() {
		params.Expiration = cloudflare.F(float64(opts.ExpireAt.Unix()))
	}
	if len(opts.Metadata) > 0 {
		params.Metadata = cloudflare.F[any](opts.Metadata)
	}
	if _, err := a.client.KV.Namespaces.Values.Update(ctx, a.namespace, key, params); err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// Delete removes key. Deleting a missing key is not an error.
func (a *Adapter) Delete(ctx context.Context, key string) error {
	_, err := a.client.KV.Namespaces.Values.Delete(ctx, a.namespace, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(a.accountID),
	})
	if err != nil && !IsNotFound(err) {
		return fmt.Errorf("kv delete %q: %w", key, err)
	}
	return nil
}

// List returns one page of keys.
func (a *Adapter) List(ctx context.Context, q storage.ListQuery) (storage.Page, error) {
	params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(a.accountID)}
	if q.Prefix != "" {
		params.Prefix = cloudflare.F(q.Prefix)
	}
	if q.Cursor != "" {
		params.Cursor = cloudflare.F(q.Cursor)
	}
	if q.Limit > 0 {
		params.Limit = cloudflare.F(float64(q.Limit))
	}
	res, err := a.client.KV.Namespaces.Keys.List(ctx, a.namespace, params)
	if err != nil {
		return storage.Page{}, fmt.Errorf("kv list %q: %w", q.Prefix, err)
	}
	page := storage.Page{Cursor: res.ResultInfo.Cursor, Complete: res.ResultInfo.Cursor == ""}
	for _, k := range res.Result {
		ki := storage.KeyInfo{Name: k.Name, Expiration: int64(k.Expiration)}
		if m, ok := k.Metadata.(map[string]any); ok {
			ki.Metadata = m
		}
		page.Keys = append(page.Keys, ki)
	}
	return page, nil
}

// IsNotFound reports whether err is the API's 404 for a missing key.
func IsNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}
