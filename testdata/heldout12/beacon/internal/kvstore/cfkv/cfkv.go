// Package cfkv implements kvstore.Store on Workers KV through the Cloudflare
// REST API (cloudflare-go v5).
package cfkv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"
	"github.com/cloudflare/cloudflare-go/v5/shared"

	"example.com/beacon/internal/consts"
	"example.com/beacon/internal/kvstore"
)

// Store is one KV namespace.
type Store struct {
	client      *cloudflare.Client
	accountID   string
	namespaceID string
}

var (
	_ kvstore.Store      = (*Store)(nil)
	_ kvstore.BulkReader = (*Store)(nil)
)

func New(client *cloudflare.Client, accountID, namespaceID string) *Store {
	return &Store{client: client, accountID: accountID, namespaceID: namespaceID}
}

func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := s.client.KV.Namespaces.Values.Get(ctx, s.namespaceID, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if IsNotFound(err) {
		return nil, kvstore.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("cfkv: get %q: %w", key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

func (s *Store) Put(ctx context.Context, key string, value []byte, opts kvstore.PutOptions) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Value:     cloudflare.F(string(value)),
	}
	switch {
	case opts.TTL > 0:
		params.ExpirationTTL = cloudflare.F(opts.TTL.Seconds())
	case !opts.ExpireAt.IsZero():
		params.Expiration = cloudflare.F(float64(opts.ExpireAt.Unix()))
	}
	if len(opts.Metadata) > 0 {
		params.Metadata = cloudflare.F[any](opts.Metadata)
	}
	if _, err := s.client.KV.Namespaces.Values.Update(ctx, s.namespaceID, key, params); err != nil {
		return fmt.Errorf("cfkv: put %q: %w", key, err)
	}
	return nil
}

func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.client.KV.Namespaces.Values.Delete(ctx, s.namespaceID, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if err != nil && !IsNotFound(err) {
		return fmt.Errorf("cfkv: delete %q: %w", key, err)
	}
	return nil
}

func (s *Store) List(ctx context.Context, prefix, cursor string, limit int) (kvstore.Page, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.accountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(limit)),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := s.client.KV.Namespaces.Keys.List(ctx, s.namespaceID, params)
	if err != nil {
		return kvstore.Page{}, fmt.Errorf("cfkv: list %q: %w", prefix, err)
	}
	out := kvstore.Page{Cursor: page.ResultInfo.Cursor}
	for _, k := range page.Result {
		md, _ := k.Metadata.(map[string]any)
		out.Keys = append(out.Keys, kvstore.KeyInfo{Name: k.Name, Expiration: int64(k.Expiration), Metadata: md})
	}
	return out, nil
}

// Keys yields every key under prefix, following the cursor across pages.
// Stop ranging to stop fetching.
func (s *Store) Keys(ctx context.Context, prefix string) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		cursor := ""
		for {
			page, err := s.List(ctx, prefix, cursor, consts.ListPageSize)
			if err != nil {
				yield("", err)
				return
			}
			for _, k := range page.Keys {
				if !yield(k.Name, nil) {
					return
				}
			}
			if page.Done() {
				return
			}
			cursor = page.Cursor
		}
	}
}

// GetMany fetches up to 100 text values in one request.
func (s *Store) GetMany(ctx context.Context, keys []string) (map[string][]byte, error) {
	if len(keys) > consts.BulkGetMax {
		return nil, fmt.Errorf("cfkv: bulk get of %d keys", len(keys))
	}
	res, err := s.client.KV.Namespaces.BulkGet(ctx, s.namespaceID, kv.NamespaceBulkGetParams{
		AccountID: cloudflare.F(s.accountID),
		Keys:      cloudflare.F(keys),
		Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
	})
	if err != nil {
		return nil, fmt.Errorf("cfkv: bulk get: %w", err)
	}
	out := make(map[string][]byte, len(keys))
	result, _ := res.AsUnion().(kv.NamespaceBulkGetResponseWorkersKVBulkGetResult)
	for k, v := range result.Values {
		switch v := v.(type) {
		case shared.UnionString:
			out[k] = []byte(v)
		case nil: // missing key
		default:
			return nil, fmt.Errorf("cfkv: %q holds a %T, not text", k, v)
		}
	}
	return out, nil
}

func statusIs(err error, code int) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == code
}

// IsNotFound reports whether err is the API's 404.
func IsNotFound(err error) bool { return statusIs(err, http.StatusNotFound) }

// IsRateLimited reports whether err is the API's 429.
func IsRateLimited(err error) bool { return statusIs(err, http.StatusTooManyRequests) }
