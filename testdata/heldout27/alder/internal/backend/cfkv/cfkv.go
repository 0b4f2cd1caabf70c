// Package cfkv implements storage.Store over the Cloudflare REST API, for the
// back-office service that runs outside the Workers runtime.
package cfkv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"
	"github.com/cloudflare/cloudflare-go/v3/option"

	"example.com/alder/internal/backend/cfparams"
	"example.com/alder/internal/config"
	"example.com/alder/internal/storage"
)

var _ storage.Store = (*Store)(nil)

// minTTL is the shortest expiry the API accepts.
const minTTL = time.Minute

// Store is the REST-backed key-value adapter.
type Store struct {
	client *cloudflare.Client
	acct   cfparams.Account
}

// ProvideClient builds the API client from configuration. The cleanup func
// releases idle connections.
func ProvideClient(cfg config.Config) (*cloudflare.Client, func(), error) {
	if cfg.APIToken == "" {
		return nil, nil, errors.New("cfkv: CF_API_TOKEN is not set")
	}
	hc := &http.Client{Timeout: 20 * time.Second}
	c := cloudflare.NewClient(
		option.WithAPIToken(cfg.APIToken),
		option.WithHTTPClient(hc),
		option.WithMaxRetries(3),
	)
	return c, hc.CloseIdleConnections, nil
}

// ProvideAccount extracts the account and namespace from configuration.
func ProvideAccount(cfg config.Config) (cfparams.Account, error) {
	if cfg.AccountID == "" || cfg.NamespaceID == "" {
		return cfparams.Account{}, errors.New("cfkv: account_id and namespace_id are required")
	}
	return cfparams.Account{ID: cfg.AccountID, Namespace: cfg.NamespaceID}, nil
}

// ProvideStore builds the adapter.
func ProvideStore(c *cloudflare.Client, acct cfparams.Account) *Store {
	return &Store{client: c, acct: acct}
}

// IsNotFound reports whether err is the API's 404.
func IsNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Get implements storage.Store.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := s.client.KV.Namespaces.Values.Get(ctx, s.acct.Namespace, url.PathEscape(key), s.acct.Get())
	if err != nil {
		if IsNotFound(err) {
			return nil, &storage.NotFoundError{Key: key}
		}
		return nil, fmt.Errorf("cfkv: get %s: %w", key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// Put implements storage.Store. Relative expiries below the API minimum are
// raised to it.
func (s *Store) Put(ctx context.Context, key string, value []byte, opts storage.PutOptions) error {
	var ro []option.RequestOption
	switch {
	case opts.TTL > 0:
		ttl := opts.TTL
		if ttl < minTTL {
			ttl = minTTL
		}
		ro = append(ro, cfparams.ExpiryTTL(ttl))
	case opts.Expiration > 0:
		ro = append(ro, cfparams.ExpiresAt(opts.Expiration))
	}
	_, err := s.client.KV.Namespaces.Values.Update(ctx, s.acct.Namespace, url.PathEscape(key), s.acct.Value(string(value), ""), ro...)
	if err != nil {
		return fmt.Errorf("cfkv: put %s: %w", key, err)
	}
	return nil
}

// Delete implements storage.Store.
func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.client.KV.Namespaces.Values.Delete(ctx, s.acct.Namespace, url.PathEscape(key), s.acct.Delete())
	if err != nil && !IsNotFound(err) {
		return fmt.Errorf("cfkv: delete %s: %w", key, err)
	}
	return nil
}

// List implements storage.Store, returning one page and its cursor. The
// limit is kept within what the endpoint accepts.
func (s *Store) List(ctx context.Context, q storage.ListQuery) (storage.Page, error) {
	limit := q.Limit
	switch {
	case limit <= 0 || limit > 1000:
		limit = 1000
	case limit < 10:
		limit = 10
	}
	page, err := s.client.KV.Namespaces.Keys.List(ctx, s.acct.Namespace, s.acct.ListKeys(q.Prefix, q.Cursor, float64(limit)))
	if err != nil {
		return storage.Page{}, fmt.Errorf("cfkv: list %s: %w", q.Prefix, err)
	}
	out := storage.Page{Cursor: page.ResultInfo.Cursor, Complete: page.ResultInfo.Cursor == ""}
	out.Keys = make([]string, 0, len(page.Result))
	for _, k := range page.Result {
		out.Keys = append(out.Keys, k.Name)
	}
	return out, nil
}

// PutMany writes entries with the bulk endpoint, split into requests the API
// accepts.
func (s *Store) PutMany(ctx context.Context, entries []kv.NamespaceBulkUpdateParamsBody) error {
	for start := 0; start < len(entries); start += cfparams.MaxBulk {
		if err := ctx.Err(); err != nil {
			return err
		}
		end := min(start+cfparams.MaxBulk, len(entries))
		if _, err := s.client.KV.Namespaces.Bulk.Update(ctx, s.acct.Namespace, s.acct.Bulk(entries[start:end])); err != nil {
			return fmt.Errorf("cfkv: bulk write %d..%d: %w", start, end, err)
		}
	}
	return nil
}

// Client exposes the underlying API client to packages that need endpoints
// the port does not cover.
func (s *Store) Client() *cloudflare.Client { return s.client }

// Account returns the account the adapter writes to.
func (s *Store) Account() cfparams.Account { return s.acct }
