// Package cfkv6 is the kv6:// backend, built on cloudflare-go v6. The courier
// and billing services use it; it has no bulk write, so callers that type-assert
// for kvstore.BatchWriter fall back to single writes.
package cfkv6

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"example.com/corncrake/internal/kvstore"
)

// Store is one namespace.
type Store struct {
	client  *cloudflare.Client
	account string
	ns      string
}

// Constructor handles kv6://<namespace-id>.
func Constructor(client *cloudflare.Client, accountID string) kvstore.Constructor {
	return func(_ context.Context, u *url.URL) (kvstore.Store, error) {
		if u.Host == "" {
			return nil, fmt.Errorf("cfkv6: DSN %q has no namespace id", u.String())
		}
		return &Store{client: client, account: accountID, ns: u.Host}, nil
	}
}

// IsNotFound reports whether err is the API's 404 for a missing key.
func IsNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Get implements kvstore.Store.
func (s *Store) Get(ctx context.Context, key string) kvstore.Result[kvstore.Optional[[]byte]] {
	resp, err := s.client.KV.Namespaces.Values.Get(ctx, s.ns, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.account),
	})
	if err != nil {
		if IsNotFound(err) {
			return kvstore.OK(kvstore.None[[]byte]())
		}
		return kvstore.Fail[kvstore.Optional[[]byte]](err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return kvstore.Fail[kvstore.Optional[[]byte]](err)
	}
	return kvstore.OK(kvstore.Some(body))
}

// Put implements kvstore.Store.
func (s *Store) Put(ctx context.Context, key string, value []byte, opts kvstore.PutOptions) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.account),
		Value:     cloudflare.F(string(value)),
	}
	if opts.TTL > 0 {
		params.ExpirationTTL = cloudflare.F(opts.TTL.Seconds())
	}
	if !opts.ExpireAt.IsZero() {
		params.Expiration = cloudflare.F(float64(opts.ExpireAt.Unix()))
	}
	if opts.Metadata != nil {
		params.Metadata = cloudflare.F(opts.Metadata)
	}
	_, err := s.client.KV.Namespaces.Values.Update(ctx, s.ns, key, params)
	return err
}

// Delete implements kvstore.Store.
func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.client.KV.Namespaces.Values.Delete(ctx, s.ns, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(s.account),
	})
	return err
}

// List implements kvstore.Lister: one page and its cursor.
func (s *Store) List(ctx context.Context, opts kvstore.ListOptions) kvstore.Result[kvstore.Page] {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.account),
		Limit:     cloudflare.F(float64(kvstore.MaxListLimit)),
	}
	if opts.Limit >= 10 && opts.Limit <= kvstore.MaxListLimit {
		params.Limit = cloudflare.F(float64(opts.Limit))
	}
	if opts.Prefix != "" {
		params.Prefix = cloudflare.F(opts.Prefix)
	}
	if opts.Cursor != "" {
		params.Cursor = cloudflare.F(opts.Cursor)
	}
	res, err := s.client.KV.Namespaces.Keys.List(ctx, s.ns, params)
	if err != nil {
		return kvstore.Fail[kvstore.Page](err)
	}
	page := kvstore.Page{Cursor: res.ResultInfo.Cursors.After}
	page.Complete = page.Cursor == ""
	for _, k := range res.Result {
		ki := kvstore.KeyInfo{Name: k.Name, Metadata: k.Metadata}
		if k.Expiration > 0 {
			ki.Expiration = time.Unix(int64(k.Expiration), 0)
		}
		page.Keys = append(page.Keys, ki)
	}
	return kvstore.OK(page)
}
