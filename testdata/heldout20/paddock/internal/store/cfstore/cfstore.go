// Package cfstore adapts a Workers KV namespace, reached through the
// Cloudflare REST API, to the store.Store port.
package cfstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"example.com/paddock/internal/store"
)

// Adapter implements store.Store on one KV namespace.
type Adapter struct {
	values    *kv.NamespaceValueService
	keys      *kv.NamespaceKeyService
	accountID string
	namespace string
}

var _ store.Store = (*Adapter)(nil)

// New returns an adapter for the namespace.
func New(client *cloudflare.Client, accountID, namespaceID string) *Adapter {
	return &Adapter{
		values:    client.KV.Namespaces.Values,
		keys:      client.KV.Namespaces.Keys,
		accountID: accountID,
		namespace: namespaceID,
	}
}

// translate maps API failures onto the port's errors.
func translate(op, key string, err error) error {
	var apiErr *cloudflare.Error
	if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
		return fmt.Errorf("cfstore: %s %q: %w", op, key, store.ErrNotFound)
	}
	return fmt.Errorf("cfstore: %s %q: %w", op, key, err)
}

// Get implements store.Store.
func (a *Adapter) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := a.values.Get(ctx, a.namespace, url.PathEscape(key), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(a.accountID),
	})
	if err != nil {
		return nil, translate("get", key, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, fmt.Errorf("cfstore: read %q: %w", key, err)
	}
	return b, nil
}

// Put implements store.Store.
func (a *Adapter) Put(ctx context.Context, key string, value []byte, opts store.WriteOptions) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(a.accountID),
		Value:     cloudflare.F(string(value)),
	}
	switch {
	case opts.TTL > 0:
		params.ExpirationTTL = cloudflare.F(float64(int64(opts.TTL / time.Second)))
	case !opts.ExpireAt.IsZero():
		params.Expiration = cloudflare.F(float64(opts.ExpireAt.Unix()))
	}
	if opts.Metadata != nil {
		params.Metadata = cloudflare.F[any](opts.Metadata)
	}
	if _, err := a.values.Update(ctx, a.namespace, url.PathEscape(key), params); err != nil {
		return translate("put", key, err)
	}
	return nil
}

// Delete implements store.Store.
func (a *Adapter) Delete(ctx context.Context, key string) error {
	_, err := a.values.Delete(ctx, a.namespace, url.PathEscape(key), kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(a.accountID),
	})
	if err != nil && !errors.Is(translate("delete", key, err), store.ErrNotFound) {
		return translate("delete", key, err)
	}
	return nil
}

// List implements store.Store. It returns exactly one page together with the
// cursor for the next one.
func (a *Adapter) List(ctx context.Context, q store.ListQuery) (store.Page, error) {
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
	page, err := a.keys.List(ctx, a.namespace, params)
	if err != nil {
		return store.Page{}, translate("list", q.Prefix, err)
	}
	out := store.Page{Cursor: page.ResultInfo.Cursor, Keys: make([]store.KeyInfo, 0, len(page.Result))}
	for _, k := range page.Result {
		info := store.KeyInfo{Name: k.Name}
		if k.Expiration > 0 {
			info.Expiration = time.Unix(int64(k.Expiration), 0)
		}
		if k.Metadata != nil {
			if raw, err := json.Marshal(k.Metadata); err == nil {
				info.Metadata = raw
			}
		}
		out.Keys = append(out.Keys, info)
	}
	return out, nil
}
