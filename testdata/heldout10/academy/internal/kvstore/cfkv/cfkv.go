// Package cfkv implements kvstore.Store on top of cloudflare-go.
package cfkv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"example.com/academy/internal/kvstore"
)

type Store struct {
	values    *kv.NamespaceValueService
	keys      *kv.NamespaceKeyService
	account   string
	namespace string
}

var _ kvstore.Store = (*Store)(nil)

func New(client *cloudflare.Client, accountID, namespaceID string) *Store {
	return &Store{
		values:    client.KV.Namespaces.Values,
		keys:      client.KV.Namespaces.Keys,
		account:   accountID,
		namespace: namespaceID,
	}
}

// IsNotFound reports whether err is the API's 404 for a missing key.
func IsNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := s.values.Get(ctx, s.namespace, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.account)})
	if err != nil {
		if IsNotFound(err) {
			return nil, kvstore.ErrNotFound
		}
		return nil, fmt.Errorf("cfkv: get %s: %w", key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

func (s *Store) Put(ctx context.Context, key string, value []byte, opts ...kvstore.PutOption) error {
	o := kvstore.Apply(opts)
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.account),
		Value:     cloudflare.F(string(value)),
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
	if _, err := s.values.Update(ctx, s.namespace, key, params); err != nil {
		return fmt.Errorf("cfkv: put %s: %w", key, err)
	}
	return nil
}

func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.values.Delete(ctx, s.namespace, key, kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(s.account)})
	if err != nil && !IsNotFound(err) {
		return fmt.Errorf("cfkv: delete %s: %w", key, err)
	}
	return nil
}

// List returns a single page; callers follow Page.Cursor themselves.
func (s *Store) List(ctx context.Context, q kvstore.ListQuery) (kvstore.Page, error) {
	params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(s.account)}
	if q.Prefix != "" {
		params.Prefix = cloudflare.F(q.Prefix)
	}
	if q.Cursor != "" {
		params.Cursor = cloudflare.F(q.Cursor)
	}
	if q.Limit > 0 {
		params.Limit = cloudflare.F(float64(q.Limit))
	}
	res, err := s.keys.List(ctx, s.namespace, params)
	if err != nil {
		return kvstore.Page{}, fmt.Errorf("cfkv: list %s: %w", q.Prefix, err)
	}
	page := kvstore.Page{Cursor: res.ResultInfo.Cursor, Keys: make([]kvstore.Key, 0, len(res.Result))}
	for _, k := range res.Result {
		page.Keys = append(page.Keys, kvstore.Key{Name: k.Name, Expiration: int64(k.Expiration), Metadata: k.Metadata})
	}
	return page, nil
}
