// Package kvstore adapts Cloudflare Workers KV, through the REST API, to the
// storage port.
package kvstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/option"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/tollgate/internal/storage"
)

func init() {
	storage.Register("kv", Open)
}

// Store is a storage.Store backed by one KV namespace.
type Store struct {
	client      *cloudflare.Client
	accountID   string
	namespaceID string
}

var _ storage.Store = (*Store)(nil)

// Open is the registry factory for the "kv" driver.
func Open(cfg storage.DriverConfig) (storage.Store, error) {
	if cfg.AccountID == "" || cfg.NamespaceID == "" {
		return nil, errors.New("kvstore: account and namespace are required")
	}
	opts := []option.RequestOption{option.WithMaxRetries(3)}
	if cfg.APIToken != "" {
		opts = append(opts, option.WithAPIToken(cfg.APIToken))
	}
	return New(cloudflare.NewClient(opts...), cfg.AccountID, cfg.NamespaceID), nil
}

// New wraps an existing client.
func New(client *cloudflare.Client, accountID, namespaceID string) *Store {
	return &Store{client: client, accountID: accountID, namespaceID: namespaceID}
}

func escape(key string) string { return url.PathEscape(key) }

// Get returns the value for key, or storage.ErrNotFound.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := s.client.KV.Namespaces.Values.Get(ctx, s.namespaceID, escape(key), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if err != nil {
		if isNotFound(err) {
			return nil, storage.ErrNotFound
		}
		return nil, fmt.Errorf("kvstore: get %q: %w", key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// Put writes value under key.
func (s *Store) Put(ctx context.Context, key string, value []byte, opts storage.PutOptions) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	}
	if opts.ExpirationTTL > 0 {
		params.ExpirationTTL = cloudflare.F(float64(opts.ExpirationTTL))
	}
	if opts.Expiration > 0 {
		params.Expiration = cloudflare.F(float64(opts.Expiration))
	}
	if len(opts.Metadata) > 0 {
		params.Metadata = cloudflare.F[any](opts.Metadata)
	}
	if _, err := s.client.KV.Namespaces.Values.Update(ctx, s.namespaceID, escape(key), params); err != nil {
		return fmt.Errorf("kvstore: put %q: %w", key, err)
	}
	return nil
}

// Delete removes key. Deleting a missing key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.client.KV.Namespaces.Values.Delete(ctx, s.namespaceID, escape(key), kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if err != nil && !isNotFound(err) {
		return fmt.Errorf("kvstore: delete %q: %w", key, err)
	}
	return nil
}

// List returns a single page; callers follow Cursor themselves.
func (s *Store) List(ctx context.Context, o storage.ListOptions) (storage.Page, error) {
	params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(s.accountID)}
	if o.Prefix != "" {
		params.Prefix = cloudflare.F(o.Prefix)
	}
	if o.Cursor != "" {
		params.Cursor = cloudflare.F(o.Cursor)
	}
	if o.Limit > 0 {
		params.Limit = cloudflare.F(float64(min(max(o.Limit, 10), 1000)))
	}
	page, err := s.client.KV.Namespaces.Keys.List(ctx, s.namespaceID, params)
	if err != nil {
		return storage.Page{}, fmt.Errorf("kvstore: list %q: %w", o.Prefix, err)
	}
	out := storage.Page{
		Cursor:   page.ResultInfo.Cursor,
		Complete: page.ResultInfo.Cursor == "",
		Keys:     make([]storage.KeyInfo, 0, len(page.Result)),
	}
	for _, k := range page.Result {
		md, _ := k.Metadata.(map[string]any)
		out.Keys = append(out.Keys, storage.KeyInfo{Name: k.Name, Expiration: int64(k.Expiration), Metadata: md})
	}
	return out, nil
}

func isNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}
