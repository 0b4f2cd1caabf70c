// Package kvsdk implements store.Store on top of the Cloudflare v6 Go SDK.
package kvsdk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/option"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/identity/internal/store"
)

// Namespace identifies one KV namespace in one account. Packages that need
// SDK features the port does not expose (bulk reads, auto-paging) use it
// directly.
type Namespace struct {
	Client    *cloudflare.Client
	AccountID string
	ID        string
}

// NewClient builds an SDK client authenticated with an API token.
func NewClient(token string, hc *http.Client) *cloudflare.Client {
	return cloudflare.NewClient(
		option.WithAPIToken(token),
		option.WithHTTPClient(hc),
		option.WithMaxRetries(2),
		option.WithHeader("User-Agent", "identity-idp/1.0"),
	)
}

// IsNotFound reports whether err is the API's 404 for a missing key.
func IsNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Store adapts a Namespace to store.Store.
type Store struct {
	ns Namespace
}

// New returns a store.Store backed by ns.
func New(ns Namespace) *Store { return &Store{ns: ns} }

var _ store.Store = (*Store)(nil)

func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := s.ns.Client.KV.Namespaces.Values.Get(ctx, s.ns.ID, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.ns.AccountID),
	})
	if err != nil {
		if IsNotFound(err) {
			return nil, store.ErrNotFound
		}
		return nil, fmt.Errorf("kv get %q: %w", key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

func (s *Store) Put(ctx context.Context, key string, value []byte, opts ...store.PutOption) error {
	o := store.Collect(opts)
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.ns.AccountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	}
	if o.TTL > 0 {
		params.ExpirationTTL = cloudflare.F(o.TTL.Seconds())
	}
	if !o.ExpiresAt.IsZero() {
		params.Expiration = cloudflare.F(float64(o.ExpiresAt.Unix()))
	}
	if o.Metadata != nil {
		params.Metadata = cloudflare.F[any](o.Metadata)
	}
	_, err := s.ns.Client.KV.Namespaces.Values.Update(ctx, s.ns.ID, key, params)
	if err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.ns.Client.KV.Namespaces.Values.Delete(ctx, s.ns.ID, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(s.ns.AccountID),
	})
	if err != nil && !IsNotFound(err) {
		return fmt.Errorf("kv delete %q: %w", key, err)
	}
	return nil
}

func (s *Store) List(ctx context.Context, lo store.ListOptions) (*store.Page, error) {
	params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(s.ns.AccountID)}
	if lo.Prefix != "" {
		params.Prefix = cloudflare.F(lo.Prefix)
	}
	if lo.Cursor != "" {
		params.Cursor = cloudflare.F(lo.Cursor)
	}
	if lo.Limit > 0 {
		params.Limit = cloudflare.F(float64(lo.Limit))
	}
	res, err := s.ns.Client.KV.Namespaces.Keys.List(ctx, s.ns.ID, params)
	if err != nil {
		return nil, fmt.Errorf("kv list %q: %w", lo.Prefix, err)
	}
	page := &store.Page{Cursor: res.ResultInfo.Cursor, Complete: res.ResultInfo.Cursor == ""}
	for _, k := range res.Result {
		info := store.KeyInfo{Name: k.Name, Expiration: int64(k.Expiration)}
		if k.Metadata != nil {
			info.Metadata, _ = json.Marshal(k.Metadata)
		}
		page.Keys = append(page.Keys, info)
	}
	return page, nil
}

// BulkText flattens a text-typed bulk get response. Keys that were not found
// are absent from the map.
func BulkText(res *kv.NamespaceBulkGetResponse) map[string]string {
	out := map[string]string{}
	r, ok := res.AsUnion().(kv.NamespaceBulkGetResponseWorkersKVBulkGetResult)
	if !ok {
		return out
	}
	for k, v := range r.Values {
		if s, ok := v.(shared.UnionString); ok {
			out[k] = string(s)
		}
	}
	return out
}
