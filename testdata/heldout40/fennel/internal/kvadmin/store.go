// Package kvadmin talks to the same KV namespaces as the edge Worker, from
// the backend, over the Cloudflare REST API.
package kvadmin

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

// Store is one namespace of one account.
type Store struct {
	c         *cloudflare.Client
	accountID string
	nsID      string
}

// NewStore binds a client to a namespace.
func NewStore(c *cloudflare.Client, accountID, namespaceID string) *Store {
	return &Store{c: c, accountID: accountID, nsID: namespaceID}
}

// IsNotFound reports whether err is the API's answer for a missing key.
func IsNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Get returns the value under key. A missing key is an error for which
// IsNotFound is true.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	resp, err := s.c.KV.Namespaces.Values.Get(ctx, s.nsID, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if err != nil {
		return nil, fmt.Errorf("kvadmin: get %s: %w", key, err)
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// Put writes val under key; a positive ttl becomes expiration_ttl.
func (s *Store) Put(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	p := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Value:     cloudflare.F(string(val)),
	}
	if ttl > 0 {
		p.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	_, err := s.c.KV.Namespaces.Values.Update(ctx, s.nsID, key, p)
	return err
}

// PutAt writes val under key to expire at the absolute time at.
func (s *Store) PutAt(ctx context.Context, key string, val []byte, at time.Time) error {
	_, err := s.c.KV.Namespaces.Values.Update(ctx, s.nsID, key, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(s.accountID),
		Value:      cloudflare.F(string(val)),
		Expiration: cloudflare.F(float64(at.Unix())),
	})
	return err
}

// PutMeta writes val with metadata that list() returns alongside the key.
func (s *Store) PutMeta(ctx context.Context, key string, val []byte, meta any) error {
	_, err := s.c.KV.Namespaces.Values.Update(ctx, s.nsID, key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Value:     cloudflare.F(string(val)),
		Metadata:  cloudflare.F(meta),
	})
	return err
}

// Delete removes key.
func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.c.KV.Namespaces.Values.Delete(ctx, s.nsID, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(s.accountID),
	})
	return err
}

// Page returns one page of key names under prefix and the cursor for the
// next page ("" when there is none).
func (s *Store) Page(ctx context.Context, prefix, cursor string, limit int) ([]kv.Key, string, error) {
	p := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.accountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(min(max(limit, 10), 1000))),
	}
	if cursor != "" {
		p.Cursor = cloudflare.F(cursor)
	}
	page, err := s.c.KV.Namespaces.Keys.List(ctx, s.nsID, p)
	if err != nil {
		return nil, "", err
	}
	return page.Result, page.ResultInfo.Cursor, nil
}

// Keys returns the raw list endpoint for callers that page themselves.
func (s *Store) Keys() *kv.NamespaceKeyService { return s.c.KV.Namespaces.Keys }

// ListParams returns list parameters bound to this store's account.
func (s *Store) ListParams(prefix string) kv.NamespaceKeyListParams {
	return kv.NamespaceKeyListParams{AccountID: cloudflare.F(s.accountID), Prefix: cloudflare.F(prefix)}
}

// All iterates every key under prefix, fetching pages as needed.
func (s *Store) All(ctx context.Context, prefix string) *pagination.CursorLimitPaginationAutoPager[kv.Key] {
	return s.c.KV.Namespaces.Keys.ListAutoPaging(ctx, s.nsID, s.ListParams(prefix))
}

// ID is the namespace ID.
func (s *Store) ID() string { return s.nsID }

// Account is the account ID.
func (s *Store) Account() string { return s.accountID }

// Client is the underlying API client.
func (s *Store) Client() *cloudflare.Client { return s.c }
