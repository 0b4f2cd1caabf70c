// Package kvstore implements storage.Full on Workers KV over the Cloudflare
// REST API (cloudflare-go v6).
package kvstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/option"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/meadow/internal/storage"
)

// NewClient builds the API client shared by the adapter and the admin tool.
func NewClient(apiToken string, timeout time.Duration) *cloudflare.Client {
	return cloudflare.NewClient(
		option.WithAPIToken(apiToken),
		option.WithRequestTimeout(timeout),
		option.WithMaxRetries(2),
	)
}

// Adapter is a storage.Full backed by one KV namespace.
type Adapter struct {
	client    *cloudflare.Client
	accountID string
	namespace string
}

// New returns an adapter for namespaceID in accountID.
func New(client *cloudflare.Client, accountID, namespaceID string) *Adapter {
	return &Adapter{client: client, accountID: accountID, namespace: namespaceID}
}

// Get returns the value of key, or storage.ErrNotFound.
func (a *Adapter) Get(ctx context.Context, key string) ([]byte, error) {
	resp, err := a.client.KV.Namespaces.Values.Get(ctx, a.namespace, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(a.accountID),
	})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return nil, storage.ErrNotFound
		}
		return nil, fmt.Errorf("kv get %q: %w", key, err)
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// Put writes value under key.
func (a *Adapter) Put(ctx context.Context, key string, value []byte, opts storage.PutOptions) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(a.accountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	}
	if opts.TTL > 0 {
		params.ExpirationTTL = cloudflare.F(opts.TTL.Seconds())
	} else if !opts.ExpireAt.IsZero() {
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

// PutTTL writes value with an expiry of ttlSeconds seconds.
func (a *Adapter) PutTTL(ctx context.Context, key string, value []byte, ttlSeconds int64) error {
	return a.Put(ctx, key, value, storage.PutOptions{TTL: time.Duration(ttlSeconds) * time.Second})
}

// Delete removes key. Deleting a missing key is not an error.
func (a *Adapter) Delete(ctx context.Context, key string) error {
	_, err := a.client.KV.Namespaces.Values.Delete(ctx, a.namespace, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(a.accountID),
	})
	if err != nil {
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
	page := storage.Page{Cursor: res.ResultInfo.Cursor}
	for _, k := range res.Result {
		meta, _ := k.Metadata.(map[string]any)
		page.Keys = append(page.Keys, storage.KeyInfo{Name: k.Name, Expiration: int64(k.Expiration), Metadata: meta})
	}
	return page, nil
}
