// Package restkv is the kvstore backend that talks to Workers KV through
// the Cloudflare REST API. The backend services and the admin CLI use it;
// the DSN is "kv://<namespace-id>".
package restkv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"

	"example.com/garganey/internal/kvstore"
)

// maxBulk is the number of pairs the bulk endpoint accepts in one request.
const maxBulk = 10_000

// Store is one namespace of one account.
type Store struct {
	api         *cloudflare.Client
	accountID   string
	namespaceID string
}

// Constructor returns a kvstore.Constructor bound to an API client.
func Constructor(api *cloudflare.Client, accountID string) kvstore.Constructor {
	return func(u *url.URL) (kvstore.Store, error) {
		if u.Host == "" {
			return nil, fmt.Errorf("restkv: dsn %q has no namespace id", u.String())
		}
		return &Store{api: api, accountID: accountID, namespaceID: u.Host}, nil
	}
}

// IsNotFound reports whether err is the API's 404 for a missing key.
func IsNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

func (s *Store) Get(ctx context.Context, key string) kvstore.Result[kvstore.Optional[[]byte]] {
	resp, err := s.api.KV.Namespaces.Values.Get(ctx, s.namespaceID, url.PathEscape(key), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if err != nil {
		if IsNotFound(err) {
			return kvstore.Ok(kvstore.None[[]byte]())
		}
		return kvstore.Fail[kvstore.Optional[[]byte]](err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return kvstore.Fail[kvstore.Optional[[]byte]](err)
	}
	return kvstore.Ok(kvstore.Some(b))
}

// Put writes one pair. The single-value endpoint of this SDK version takes
// no expiration, so expiring writes go through the bulk endpoint.
func (s *Store) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl > 0 {
		return s.PutBatch(ctx, []kvstore.Entry{{Key: key, Value: value, TTL: ttl}})
	}
	_, err := s.api.KV.Namespaces.Values.Update(ctx, s.namespaceID, url.PathEscape(key), kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Metadata:  cloudflare.F("{}"),
		Value:     cloudflare.F(string(value)),
	})
	return err
}

// PutBatch writes entries in requests of at most maxBulk pairs.
func (s *Store) PutBatch(ctx context.Context, entries []kvstore.Entry) error {
	for start := 0; start < len(entries); start += maxBulk {
		end := min(start+maxBulk, len(entries))
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, end-start)
		for _, e := range entries[start:end] {
			item := kv.NamespaceBulkUpdateParamsBody{
				Key:   cloudflare.F(e.Key),
				Value: cloudflare.F(string(e.Value)),
			}
			if e.TTL > 0 {
				item.ExpirationTTL = cloudflare.F(e.TTL.Seconds())
			}
			body = append(body, item)
		}
		_, err := s.api.KV.Namespaces.Bulk.Update(ctx, s.namespaceID, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(s.accountID),
			Body:      body,
		})
		if err != nil {
			return fmt.Errorf("restkv: bulk write %d..%d: %w", start, end, err)
		}
	}
	return nil
}

func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.api.KV.Namespaces.Values.Delete(ctx, s.namespaceID, url.PathEscape(key), kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if IsNotFound(err) {
		return nil
	}
	return err
}

// List returns one page of keys. The REST API signals the last page with an
// empty cursor.
func (s *Store) List(ctx context.Context, prefix, cursor string, limit int) kvstore.Result[kvstore.Page] {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.accountID),
		Prefix:    cloudflare.F(prefix),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	if limit > 0 {
		params.Limit = cloudflare.F(float64(max(limit, 10)))
	}
	page, err := s.api.KV.Namespaces.Keys.List(ctx, s.namespaceID, params)
	if err != nil {
		return kvstore.Fail[kvstore.Page](err)
	}
	out := kvstore.Page{Cursor: page.ResultInfo.Cursor, Complete: page.ResultInfo.Cursor == ""}
	for _, k := range page.Result {
		out.Keys = append(out.Keys, k.Name)
	}
	return kvstore.Ok(out)
}
