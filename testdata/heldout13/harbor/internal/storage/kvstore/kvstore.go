// Package kvstore implements storage.Store on Workers KV through the
// Cloudflare REST API (cloudflare-go v6).
package kvstore

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/option"

	"example.com/harbor/internal/storage"
)

// Store is a storage.Store backed by one KV namespace.
type Store struct {
	client    *cloudflare.Client
	accountID string
	namespace string
}

var _ storage.Store = (*Store)(nil)

// NewClient builds the shared REST client.
func NewClient(apiToken string, timeout time.Duration) *cloudflare.Client {
	return cloudflare.NewClient(option.WithAPIToken(apiToken), option.WithRequestTimeout(timeout), option.WithMaxRetries(2))
}

// New returns a Store for namespaceID.
func New(client *cloudflare.Client, accountID, namespaceID string) *Store {
	return &Store{client: client, accountID: accountID, namespace: namespaceID}
}

func wrap(op, key string, err error) error {
	var apiErr *cloudflare.Error
	if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
		err = storage.ErrNotFound
	}
	return &storage.KeyError{Op: op, Key: key, Err: err}
}

// Get returns the raw value, or an error wrapping storage.ErrNotFound.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	resp, err := s.client.KV.Namespaces.Values.Get(ctx, s.namespace, url.PathEscape(key), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if err != nil {
		return nil, wrap("get", key, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, wrap("get", key, err)
	}
	return b, nil
}

// Put writes value under key.
func (s *Store) Put(ctx context.Context, key string, value []byte, opts ...storage.PutOption) error {
	o := storage.Apply(opts)
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Value:     cloudflare.F(string(value)),
	}
	if o.TTL > 0 {
		params.ExpirationTTL = cloudflare.F(float64(int(o.TTL.Seconds())))
	}
	if o.Expiration > 0 {
		params.Expiration = cloudflare.F(float64(o.Expiration))
	}
	if o.Metadata != nil {
		params.Metadata = cloudflare.F(o.Metadata)
	}
	if _, err := s.client.KV.Namespaces.Values.Update(ctx, s.namespace, url.PathEscape(key), params); err != nil {
		return wrap("put", key, err)
	}
	return nil
}

// Delete removes key. Deleting a missing key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.client.KV.Namespaces.Values.Delete(ctx, s.namespace, url.PathEscape(key), kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if err != nil {
		if err = wrap("delete", key, err); !storage.IsNotFound(err) {
			return err
		}
	}
	return nil
}

// List returns one page of keys.
func (s *Store) List(ctx context.Context, req storage.ListRequest) (storage.Page, error) {
	params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(s.accountID), Prefix: cloudflare.F(req.Prefix)}
	if req.Cursor != "" {
		params.Cursor = cloudflare.F(req.Cursor)
	}
	if req.Limit > 0 {
		params.Limit = cloudflare.F(float64(req.Limit))
	}
	res, err := s.client.KV.Namespaces.Keys.List(ctx, s.namespace, params)
	if err != nil {
		return storage.Page{}, wrap("list", req.Prefix, err)
	}
	page := storage.Page{Cursor: res.ResultInfo.Cursors.After}
	for _, k := range res.Result {
		key := storage.Key{Name: k.Name}
		if k.Expiration > 0 {
			key.Expiration = time.Unix(int64(k.Expiration), 0)
		}
		key.Metadata, _ = k.Metadata.(map[string]any)
		page.Keys = append(page.Keys, key)
	}
	return page, nil
}
