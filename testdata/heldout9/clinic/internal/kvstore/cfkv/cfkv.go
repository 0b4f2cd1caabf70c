// Package cfkv implements kvstore.Store on top of the Cloudflare API
// (cloudflare-go v6) and exposes the shared API client for the packages
// that talk to KV directly.
package cfkv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/option"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/clinic/internal/kvstore"
)

var (
	clientOnce sync.Once
	client     *cloudflare.Client
)

// Client returns the process-wide API client, creating it on first use.
func Client(token string) *cloudflare.Client {
	clientOnce.Do(func() {
		client = cloudflare.NewClient(
			option.WithAPIToken(token),
			option.WithMaxRetries(3),
		)
	})
	return client
}

// Namespace identifies one KV namespace for direct SDK calls.
type Namespace struct {
	API       *cloudflare.Client
	AccountID string
	ID        string
}

// IsNotFound reports whether err is the API's 404 for a missing key.
func IsNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Text wraps a string as an update value.
func Text(s string) kv.NamespaceValueUpdateParamsValueUnion {
	return shared.UnionString(s)
}

// Store adapts a namespace to kvstore.Store.
type Store struct {
	ns Namespace
}

var _ kvstore.Store = (*Store)(nil)

func New(ns Namespace) *Store {
	return &Store{ns: ns}
}

func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := s.ns.API.KV.Namespaces.Values.Get(ctx, s.ns.ID, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.ns.AccountID),
	})
	if err != nil {
		if IsNotFound(err) {
			return nil, fmt.Errorf("%w: %s", kvstore.ErrNotFound, key)
		}
		return nil, fmt.Errorf("cfkv: get %q: %w", key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

func (s *Store) Put(ctx context.Context, key string, val []byte, opts ...kvstore.PutOption) error {
	o := kvstore.Resolve(opts...)
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.ns.AccountID),
		Value:     cloudflare.F(Text(string(val))),
	}
	if o.TTL > 0 {
		params.ExpirationTTL = cloudflare.F(o.TTL.Seconds())
	}
	if !o.ExpireAt.IsZero() {
		params.Expiration = cloudflare.F(float64(o.ExpireAt.Unix()))
	}
	if o.Metadata != nil {
		params.Metadata = cloudflare.F(o.Metadata)
	}
	if _, err := s.ns.API.KV.Namespaces.Values.Update(ctx, s.ns.ID, key, params); err != nil {
		return fmt.Errorf("cfkv: put %q: %w", key, err)
	}
	return nil
}

func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.ns.API.KV.Namespaces.Values.Delete(ctx, s.ns.ID, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(s.ns.AccountID),
	})
	if err != nil && !IsNotFound(err) {
		return fmt.Errorf("cfkv: delete %q: %w", key, err)
	}
	return nil
}

func (s *Store) List(ctx context.Context, prefix, cursor string, limit int) (kvstore.Page, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.ns.AccountID),
		Prefix:    cloudflare.F(prefix),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	if limit > 0 {
		params.Limit = cloudflare.F(float64(limit))
	}
	res, err := s.ns.API.KV.Namespaces.Keys.List(ctx, s.ns.ID, params)
	if err != nil {
		return kvstore.Page{}, fmt.Errorf("cfkv: list %q: %w", prefix, err)
	}
	page := kvstore.Page{Cursor: res.ResultInfo.Cursor, Complete: res.ResultInfo.Cursor == ""}
	for _, k := range res.Result {
		info := kvstore.KeyInfo{Name: k.Name, Expiration: int64(k.Expiration)}
		if m, ok := k.Metadata.(map[string]any); ok {
			info.Metadata = m
		}
		page.Keys = append(page.Keys, info)
	}
	return page, nil
}
