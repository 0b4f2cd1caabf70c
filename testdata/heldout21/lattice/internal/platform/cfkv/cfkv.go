// Package cfkv adapts a Workers KV namespace, reached through the Cloudflare
// REST API (cloudflare-go v6), to the kvstore port.
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
	"github.com/cloudflare/cloudflare-go/v6/option"

	"example.com/lattice/internal/platform/kvstore"
)

// Target names one namespace in one account.
type Target struct {
	Client      *cloudflare.Client
	AccountID   string
	NamespaceID string
}

// NewClient builds an API client from a token.
func NewClient(apiToken string, timeout time.Duration) *cloudflare.Client {
	return cloudflare.NewClient(
		option.WithAPIToken(apiToken),
		option.WithRequestTimeout(timeout),
		option.WithMaxRetries(2),
	)
}

// IsNotFound reports whether err is the API's 404 for a missing key.
func IsNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Store implements kvstore.Store.
type Store struct {
	t Target
}

var _ kvstore.Store = (*Store)(nil)

// New returns an adapter for t.
func New(t Target) *Store { return &Store{t: t} }

func (s *Store) values() *kv.NamespaceValueService { return s.t.Client.KV.Namespaces.Values }

// Get implements kvstore.Store.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := s.values().Get(ctx, s.t.NamespaceID, url.PathEscape(key), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.t.AccountID),
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

// Put implements kvstore.Store.
func (s *Store) Put(ctx context.Context, key string, value []byte, opts ...kvstore.Option) error {
	ws := kvstore.Settings(opts...)
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.t.AccountID),
		Value:     cloudflare.F(string(value)),
	}
	switch {
	case ws.TTL > 0:
		params.ExpirationTTL = cloudflare.F(float64(ws.TTL / time.Second))
	case !ws.ExpireAt.IsZero():
		params.Expiration = cloudflare.F(float64(ws.ExpireAt.Unix()))
	}
	if len(ws.Metadata) > 0 {
		params.Metadata = cloudflare.F[any](ws.Metadata)
	}
	if _, err := s.values().Update(ctx, s.t.NamespaceID, url.PathEscape(key), params); err != nil {
		return fmt.Errorf("cfkv put %q: %w", key, err)
	}
	return nil
}

// Delete implements kvstore.Store.
func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.values().Delete(ctx, s.t.NamespaceID, url.PathEscape(key), kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(s.t.AccountID),
	})
	if err != nil && !IsNotFound(err) {
		return fmt.Errorf("cfkv delete %q: %w", key, err)
	}
	return nil
}

// List implements kvstore.Store. It returns exactly one page.
func (s *Store) List(ctx context.Context, q kvstore.ListQuery) (kvstore.Page, error) {
	params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(s.t.AccountID)}
	if q.Prefix != "" {
		params.Prefix = cloudflare.F(q.Prefix)
	}
	if q.Cursor != "" {
		params.Cursor = cloudflare.F(q.Cursor)
	}
	if q.Limit > 0 {
		params.Limit = cloudflare.F(float64(q.Limit))
	}
	page, err := s.t.Client.KV.Namespaces.Keys.List(ctx, s.t.NamespaceID, params)
	if err != nil {
		return kvstore.Page{}, fmt.Errorf("cfkv list %q: %w", q.Prefix, err)
	}
	out := kvstore.Page{Cursor: page.ResultInfo.Cursors.After}
	out.Keys = make([]kvstore.Key, 0, len(page.Result))
	for _, k := range page.Result {
		key := kvstore.Key{Name: k.Name}
		if k.Expiration > 0 {
			key.Expiration = time.Unix(int64(k.Expiration), 0)
		}
		if m, ok := k.Metadata.(map[string]any); ok {
			key.Metadata = m
		}
		out.Keys = append(out.Keys, key)
	}
	return out, nil
}
