// Package kvstore implements storage.Store on Workers KV through the
// Cloudflare REST API (cloudflare-go v3).
package kvstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"

	"example.com/billing/internal/storage"
)

// Store talks to one KV namespace.
type Store struct {
	ns          *kv.NamespaceService
	accountID   string
	namespaceID string
}

var _ storage.Store = (*Store)(nil)

// New returns a Store for namespaceID in accountID.
func New(client *cloudflare.Client, accountID, namespaceID string) *Store {
	return &Store{ns: client.KV.Namespaces, accountID: accountID, namespaceID: namespaceID}
}

// IsNotFound reports whether err is the API's 404.
func IsNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := s.ns.Values.Get(ctx, s.namespaceID, url.PathEscape(key), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if err != nil {
		if IsNotFound(err) {
			return nil, storage.ErrNotFound
		}
		return nil, fmt.Errorf("kv get %q: %w", key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// Put writes value. The single-value endpoint in this SDK version cannot
// carry an expiration, so writes with a TTL or expiry go through the bulk
// endpoint with a one-element body.
func (s *Store) Put(ctx context.Context, key string, value []byte, opts ...storage.PutOption) error {
	o := storage.Resolve(opts)
	if o.TTL == 0 && o.ExpireAt.IsZero() {
		meta := "{}"
		if o.Metadata != nil {
			b, err := json.Marshal(o.Metadata)
			if err != nil {
				return fmt.Errorf("kv put %q: metadata: %w", key, err)
			}
			meta = string(b)
		}
		_, err := s.ns.Values.Update(ctx, s.namespaceID, url.PathEscape(key), kv.NamespaceValueUpdateParams{
			AccountID: cloudflare.F(s.accountID),
			Value:     cloudflare.F(string(value)),
			Metadata:  cloudflare.F(meta),
		})
		if err != nil {
			return fmt.Errorf("kv put %q: %w", key, err)
		}
		return nil
	}

	body := kv.NamespaceBulkUpdateParamsBody{
		Key:   cloudflare.F(key),
		Value: cloudflare.F(string(value)),
	}
	if o.TTL > 0 {
		body.ExpirationTTL = cloudflare.F(o.TTL.Seconds())
	}
	if !o.ExpireAt.IsZero() {
		body.Expiration = cloudflare.F(float64(o.ExpireAt.Unix()))
	}
	if o.Metadata != nil {
		body.Metadata = cloudflare.F(o.Metadata)
	}
	_, err := s.ns.Bulk.Update(ctx, s.namespaceID, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Body:      []kv.NamespaceBulkUpdateParamsBody{body},
	})
	if err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.ns.Values.Delete(ctx, s.namespaceID, url.PathEscape(key), kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if err != nil && !IsNotFound(err) {
		return fmt.Errorf("kv delete %q: %w", key, err)
	}
	return nil
}

func (s *Store) List(ctx context.Context, opts storage.ListOptions) (storage.Page, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.accountID),
	}
	if opts.Prefix != "" {
		params.Prefix = cloudflare.F(opts.Prefix)
	}
	if opts.Cursor != "" {
		params.Cursor = cloudflare.F(opts.Cursor)
	}
	if opts.Limit > 0 {
		params.Limit = cloudflare.F(float64(opts.Limit))
	}
	res, err := s.ns.Keys.List(ctx, s.namespaceID, params)
	if err != nil {
		return storage.Page{}, fmt.Errorf("kv list %q: %w", opts.Prefix, err)
	}
	page := storage.Page{Cursor: res.ResultInfo.Cursor}
	for _, k := range res.Result {
		info := storage.KeyInfo{Name: k.Name, Metadata: k.Metadata}
		if k.Expiration > 0 {
			info.Expiration = time.Unix(int64(k.Expiration), 0)
		}
		page.Keys = append(page.Keys, info)
	}
	return page, nil
}
