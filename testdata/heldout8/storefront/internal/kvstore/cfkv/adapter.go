// Package cfkv implements kvstore.Store on top of the Cloudflare API client.
package cfkv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/storefront/internal/kvstore"
)

// Adapter talks to one namespace.
type Adapter struct {
	client      *cloudflare.Client
	accountID   string
	namespaceID string
}

var _ kvstore.Store = (*Adapter)(nil)

// New returns an adapter for namespaceID.
func New(client *cloudflare.Client, accountID, namespaceID string) *Adapter {
	return &Adapter{client: client, accountID: accountID, namespaceID: namespaceID}
}

// IsNotFound reports whether err is the API's 404 for a missing key.
func IsNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

func (a *Adapter) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := a.client.KV.Namespaces.Values.Get(ctx, a.namespaceID, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(a.accountID),
	})
	if err != nil {
		if IsNotFound(err) {
			return nil, kvstore.ErrNotFound
		}
		return nil, fmt.Errorf("cfkv get %q: %w", key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

func (a *Adapter) Put(ctx context.Context, key string, value []byte, opts ...kvstore.PutOption) error {
	o := kvstore.Collect(opts)
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(a.accountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	}
	if o.TTL > 0 {
		params.ExpirationTTL = cloudflare.F(o.TTL.Seconds())
	}
	if !o.ExpireAt.IsZero() {
		params.Expiration = cloudflare.F(float64(o.ExpireAt.Unix()))
	}
	if o.Metadata != nil {
		params.Metadata = cloudflare.F[any](o.Metadata)
	}
	if _, err := a.client.KV.Namespaces.Values.Update(ctx, a.namespaceID, key, params); err != nil {
		return fmt.Errorf("cfkv put %q: %w", key, err)
	}
	return nil
}

func (a *Adapter) Delete(ctx context.Context, key string) error {
	_, err := a.client.KV.Namespaces.Values.Delete(ctx, a.namespaceID, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(a.accountID),
	})
	if err != nil && !IsNotFound(err) {
		return fmt.Errorf("cfkv delete %q: %w", key, err)
	}
	return nil
}

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
	res, err := a.client.KV.Namespaces.Keys.List(ctx, a.namespaceID, params)
	if err != nil {
		return kvstore.Page{}, fmt.Errorf("cfkv list %q: %w", prefix, err)
	}
	page := kvstore.Page{Cursor: res.ResultInfo.Cursor, Complete: res.ResultInfo.Cursor == ""}
	for _, k := range res.Result {
		ki := kvstore.KeyInfo{Name: k.Name}
		if k.Expiration > 0 {
			ki.Expiration = time.Unix(int64(k.Expiration), 0)
		}
		if m, ok := k.Metadata.(map[string]any); ok {
			ki.Metadata = m
		}
		page.Keys = append(page.Keys, ki)
	}
	return page, nil
}
