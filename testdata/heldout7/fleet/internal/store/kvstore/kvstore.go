// Package kvstore implements store.Store on top of a Workers KV namespace,
// using the Cloudflare v4 Go SDK.
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

	"example.com/fleet/internal/store"
)

// Namespace is a store.Store bound to one KV namespace.
type Namespace struct {
	client      *cloudflare.Client
	accountID   string
	namespaceID string
}

var _ store.Store = (*Namespace)(nil)

// New returns a Namespace.
func New(client *cloudflare.Client, accountID, namespaceID string) *Namespace {
	return &Namespace{client: client, accountID: accountID, namespaceID: namespaceID}
}

// Get returns the value under key, or store.ErrNotFound.
func (n *Namespace) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := n.client.KV.Namespaces.Values.Get(ctx, n.namespaceID, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(n.accountID),
	})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return nil, store.ErrNotFound
		}
		return nil, fmt.Errorf("kv get %q: %w", key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// Put writes value under key.
func (n *Namespace) Put(ctx context.Context, key string, value []byte, opts ...store.PutOption) error {
	o := store.Apply(opts)
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(n.accountID),
		Value:     cloudflare.F(string(value)),
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
	if _, err := n.client.KV.Namespaces.Values.Update(ctx, n.namespaceID, key, params); err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// Delete removes key.
func (n *Namespace) Delete(ctx context.Context, key string) error {
	_, err := n.client.KV.Namespaces.Values.Delete(ctx, n.namespaceID, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(n.accountID),
	})
	return err
}

// List returns one page of keys.
func (n *Namespace) List(ctx context.Context, opts store.ListOptions) (store.Page, error) {
	params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(n.accountID)}
	if opts.Prefix != "" {
		params.Prefix = cloudflare.F(opts.Prefix)
	}
	if opts.Cursor != "" {
		params.Cursor = cloudflare.F(opts.Cursor)
	}
	if opts.Limit > 0 {
		params.Limit = cloudflare.F(float64(opts.Limit))
	}
	page, err := n.client.KV.Namespaces.Keys.List(ctx, n.namespaceID, params)
	if err != nil {
		return store.Page{}, err
	}
	out := store.Page{Cursor: page.ResultInfo.Cursor, Complete: page.ResultInfo.Cursor == ""}
	for _, k := range page.Result {
		key := store.Key{Name: k.Name, Metadata: k.Metadata}
		if k.Expiration > 0 {
			key.Expiration = time.Unix(int64(k.Expiration), 0)
		}
		out.Keys = append(out.Keys, key)
	}
	return out, nil
}
