// Package cfkv adapts Cloudflare Workers KV, reached over the REST API with
// cloudflare-go v6, to the kv.Store port.
package cfkv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	cfkv "github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/marlin/internal/clock"
	"example.com/marlin/internal/kv"
)

// Store is a kv.Store backed by one Workers KV namespace.
type Store struct {
	client      *cloudflare.Client
	accountID   string
	namespaceID string
	prefix      string
	clock       clock.Clock
}

// Option configures a Store.
type Option func(*Store)

// WithClock sets the clock used to interpret absolute expirations.
func WithClock(c clock.Clock) Option { return func(s *Store) { s.clock = c } }

// New returns a store for the given account and namespace.
func New(client *cloudflare.Client, accountID, namespaceID string, opts ...Option) *Store {
	s := &Store{
		client:      client,
		accountID:   accountID,
		namespaceID: namespaceID,
		clock:       clock.System{},
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

// ForTenant returns a view of the store scoped to one creator account.
func (s *Store) ForTenant(id string) kv.Store {
	c := *s
	c.prefix = s.prefix + "t/" + id + "/"
	return &c
}

func (s *Store) key(k string) string { return url.PathEscape(s.prefix + k) }

// IsNotFound reports whether err is the API's 404.
func IsNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Get reads one value. A 404 becomes kv.ErrNotFound.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := s.client.KV.Namespaces.Values.Get(ctx, s.namespaceID, s.key(key), cfkv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if err != nil {
		if IsNotFound(err) {
			return nil, kv.ErrNotFound
		}
		return nil, fmt.Errorf("kv get %s: %w", key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// Put writes one value.
func (s *Store) Put(ctx context.Context, key string, value []byte, opts kv.PutOptions) error {
	params := cfkv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Value:     cloudflare.F[cfkv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	}
	switch {
	case opts.TTL > 0:
		params.ExpirationTTL = cloudflare.F(opts.TTL.Seconds())
	case !opts.ExpiresAt.IsZero():
		params.Expiration = cloudflare.F(float64(opts.ExpiresAt.Unix()))
	}
	if opts.Metadata != nil {
		params.Metadata = cloudflare.F[any](opts.Metadata)
	}
	if _, err := s.client.KV.Namespaces.Values.Update(ctx, s.namespaceID, s.key(key), params); err != nil {
		return fmt.Errorf("kv put %s: %w", key, err)
	}
	return nil
}

// Delete removes one key. Deleting an absent key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.client.KV.Namespaces.Values.Delete(ctx, s.namespaceID, s.key(key), cfkv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if err != nil && !IsNotFound(err) {
		return fmt.Errorf("kv delete %s: %w", key, err)
	}
	return nil
}

// List returns one page of keys.
func (s *Store) List(ctx context.Context, req kv.ListRequest) (kv.ListPage, error) {
	params := cfkv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.accountID),
		Prefix:    cloudflare.F(s.prefix + req.Prefix),
	}
	if req.Limit > 0 {
		params.Limit = cloudflare.F(float64(req.Limit))
	}
	if req.Cursor != "" {
		params.Cursor = cloudflare.F(req.Cursor)
	}
	page, err := s.client.KV.Namespaces.Keys.List(ctx, s.namespaceID, params)
	if err != nil {
		return kv.ListPage{}, fmt.Errorf("kv list %q: %w", req.Prefix, err)
	}
	out := kv.ListPage{Cursor: page.ResultInfo.Cursor, Complete: page.ResultInfo.Cursor == ""}
	for _, k := range page.Result {
		info := kv.KeyInfo{Name: k.Name[len(s.prefix):], Metadata: k.Metadata}
		if k.Expiration > 0 {
			info.Expiration = time.Unix(int64(k.Expiration), 0)
		}
		out.Keys = append(out.Keys, info)
	}
	return out, nil
}

// GetMany reads keys in bulk requests of at most kv.MaxBulkGet keys each.
// Keys that do not exist are absent from the result.
func (s *Store) GetMany(ctx context.Context, keys []string) (map[string][]byte, error) {
	out := make(map[string][]byte, len(keys))
	for start := 0; start < len(keys); start += kv.MaxBulkGet {
		chunk := keys[start:min(start+kv.MaxBulkGet, len(keys))]
		full := make([]string, len(chunk))
		for i, k := range chunk {
			full[i] = s.prefix + k
		}
		res, err := s.client.KV.Namespaces.BulkGet(ctx, s.namespaceID, cfkv.NamespaceBulkGetParams{
			AccountID: cloudflare.F(s.accountID),
			Keys:      cloudflare.F(full),
			Type:      cloudflare.F(cfkv.NamespaceBulkGetParamsTypeText),
		})
		if err != nil {
			return nil, fmt.Errorf("kv bulk get: %w", err)
		}
		result, ok := res.AsUnion().(cfkv.NamespaceBulkGetResponseWorkersKVBulkGetResult)
		if !ok {
			continue
		}
		for i, k := range full {
			if v, ok := result.Values[k].(shared.UnionString); ok {
				out[chunk[i]] = []byte(v)
			}
		}
	}
	return out, nil
}
