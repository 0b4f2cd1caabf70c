// Package kvrest adapts the Cloudflare REST API (cloudflare-go) to the
// newsletter.Store contract used by the backend.
package kvrest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"wryneck/internal/newsletter"
	"wryneck/internal/opt"
	"wryneck/internal/tracing"
)

// DefaultPageSize is used when a listing does not ask for a size.
const DefaultPageSize = 1000

// Store talks to one KV namespace of one account.
type Store struct {
	api       *cloudflare.Client
	account   string
	namespace string
}

var _ newsletter.Store = (*Store)(nil)

// New returns a Store for the namespace.
func New(api *cloudflare.Client, accountID, namespaceID string) newsletter.Store {
	return &Store{api: api, account: accountID, namespace: namespaceID}
}

// Get reads a value; a 404 becomes newsletter.ErrNotFound.
func (s *Store) Get(ctx context.Context, key string) (_ []byte, err error) {
	ctx, end := tracing.Start(ctx, "kv.get", tracing.Str("key", key))
	defer end(&err)
	resp, err := s.api.KV.Namespaces.Values.Get(ctx, s.namespace, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.account),
	})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return nil, newsletter.ErrNotFound
		}
		return nil, fmt.Errorf("kv get %q: %w", key, err)
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// Put writes a value with the optional expiration and metadata.
func (s *Store) Put(ctx context.Context, key string, value []byte, o newsletter.PutOptions) (err error) {
	ctx, end := tracing.Start(ctx, "kv.put", tracing.Str("key", key), tracing.Int("bytes", len(value)))
	defer end(&err)
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.account),
		Value:     cloudflare.F(string(value)),
	}
	if o.TTL != nil {
		params.ExpirationTTL = cloudflare.F(float64(opt.Seconds(*o.TTL)))
	}
	if o.ExpiresAt != nil {
		params.Expiration = cloudflare.F(float64(o.ExpiresAt.Unix()))
	}
	if o.Metadata != nil {
		params.Metadata = cloudflare.F[any](o.Metadata)
	}
	_, err = s.api.KV.Namespaces.Values.Update(ctx, s.namespace, key, params)
	return err
}

// Delete removes a key.
func (s *Store) Delete(ctx context.Context, key string) (err error) {
	ctx, end := tracing.Start(ctx, "kv.delete", tracing.Str("key", key))
	defer end(&err)
	_, err = s.api.KV.Namespaces.Values.Delete(ctx, s.namespace, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(s.account),
	})
	return err
}

// List returns one page of keys.
func (s *Store) List(ctx context.Context, o newsletter.ListOptions) (_ newsletter.Page, err error) {
	ctx, end := tracing.Start(ctx, "kv.list", tracing.Str("prefix", opt.Deref(o.Prefix, "")))
	defer end(&err)
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.account),
		Limit:     cloudflare.F(float64(opt.Deref(o.Limit, DefaultPageSize))),
	}
	if o.Prefix != nil {
		params.Prefix = cloudflare.F(*o.Prefix)
	}
	if o.Cursor != "" {
		params.Cursor = cloudflare.F(o.Cursor)
	}
	res, err := s.api.KV.Namespaces.Keys.List(ctx, s.namespace, params)
	if err != nil {
		return newsletter.Page{}, err
	}
	page := newsletter.Page{Cursor: res.ResultInfo.Cursor, Complete: res.ResultInfo.Cursor == ""}
	for _, k := range res.Result {
		md, _ := k.Metadata.(map[string]any)
		page.Keys = append(page.Keys, newsletter.Key{Name: k.Name, Metadata: md})
	}
	return page, nil
}
