// Package kvstore is the gateway's thin adapter over the Cloudflare Workers KV
// REST API (cloudflare-go v5). Every backend package talks to KV through it so
// that account and namespace plumbing lives in one place.
package kvstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"
	"github.com/cloudflare/cloudflare-go/v5/option"
	"github.com/cloudflare/cloudflare-go/v5/packages/pagination"
	"github.com/cloudflare/cloudflare-go/v5/shared"
)

// ErrNotFound is returned by Get when KV answers 404 for the key.
var ErrNotFound = errors.New("kvstore: key not found")

// Store addresses one KV namespace in one account.
type Store struct {
	api         *cloudflare.Client
	accountID   string
	namespaceID string
}

// Config names the namespace a Store writes to.
type Config struct {
	APIToken    string
	AccountID   string
	NamespaceID string
	BaseURL     string
}

// Open builds a Store from cfg.
func Open(cfg Config) *Store {
	opts := []option.RequestOption{option.WithAPIToken(cfg.APIToken)}
	if cfg.BaseURL != "" {
		opts = append(opts, option.WithBaseURL(cfg.BaseURL))
	}
	return &Store{
		api:         cloudflare.NewClient(opts...),
		accountID:   cfg.AccountID,
		namespaceID: cfg.NamespaceID,
	}
}

// Namespace returns the namespace ID, used in log lines.
func (s *Store) Namespace() string { return s.namespaceID }

// Get returns the value stored at key, or ErrNotFound.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := s.api.KV.Namespaces.Values.Get(ctx, s.namespaceID, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("kv get %q: %w", key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// Put writes value under key. A zero ttl stores the value without expiry.
func (s *Store) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Value:     cloudflare.F(string(value)),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(float64(int(ttl.Seconds())))
	}
	_, err := s.api.KV.Namespaces.Values.Update(ctx, s.namespaceID, key, params)
	if err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// PutCache writes a cache entry. Cache lifetimes come from many places
// (token expiries, policy hints), so they are raised to KV's minimum here.
func (s *Store) PutCache(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return s.Put(ctx, key, value, ttl)
}

// PutUntil writes value under key and lets KV expire it at t.
func (s *Store) PutUntil(ctx context.Context, key string, value []byte, t time.Time, meta any) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(s.accountID),
		Value:      cloudflare.F(string(value)),
		Expiration: cloudflare.F(float64(t.Unix())),
	}
	if meta != nil {
		params.Metadata = cloudflare.F[any](meta)
	}
	_, err := s.api.KV.Namespaces.Values.Update(ctx, s.namespaceID, key, params)
	return err
}

// Delete removes key. Deleting a missing key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.api.KV.Namespaces.Values.Delete(ctx, s.namespaceID, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(s.accountID),
	})
	return err
}

// Page is one page of a key listing.
type Page struct {
	Keys   []kv.Key
	Cursor string
}

// ListPage returns one page of keys under prefix starting at cursor.
func (s *Store) ListPage(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.accountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(limit)),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	res, err := s.api.KV.Namespaces.Keys.List(ctx, s.namespaceID, params)
	if err != nil {
		return Page{}, err
	}
	return Page{Keys: res.Result, Cursor: res.ResultInfo.Cursor}, nil
}

// Entry is one pair of a bulk write.
type Entry struct {
	Key      string
	Value    string
	TTL      time.Duration
	Metadata any
}

// BulkPut writes entries in one request. Callers keep batches at or under
// 10,000 pairs.
func (s *Store) BulkPut(ctx context.Context, entries []Entry) ([]string, error) {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(entries))
	for _, e := range entries {
		b := kv.NamespaceBulkUpdateParamsBody{
			Key:   cloudflare.F(e.Key),
			Value: cloudflare.F(e.Value),
		}
		if e.TTL > 0 {
			b.ExpirationTTL = cloudflare.F(e.TTL.Seconds())
		}
		if e.Metadata != nil {
			b.Metadata = cloudflare.F[any](e.Metadata)
		}
		body = append(body, b)
	}
	res, err := s.api.KV.Namespaces.BulkUpdate(ctx, s.namespaceID, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Body:      body,
	})
	if err != nil {
		return nil, err
	}
	return res.UnsuccessfulKeys, nil
}

// BulkDelete removes up to 10,000 keys in one request.
func (s *Store) BulkDelete(ctx context.Context, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	_, err := s.api.KV.Namespaces.BulkDelete(ctx, s.namespaceID, kv.NamespaceBulkDeleteParams{
		AccountID: cloudflare.F(s.accountID),
		Body:      keys,
	})
	return err
}

// BulkGet fetches up to 100 text values. Missing keys are absent from the map.
func (s *Store) BulkGet(ctx context.Context, keys []string) (map[string]string, error) {
	res, err := s.api.KV.Namespaces.BulkGet(ctx, s.namespaceID, kv.NamespaceBulkGetParams{
		AccountID: cloudflare.F(s.accountID),
		Keys:      cloudflare.F(keys),
		Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
	})
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(keys))
	if r, ok := res.AsUnion().(kv.NamespaceBulkGetResponseWorkersKVBulkGetResult); ok {
		for k, v := range r.Values {
			if str, ok := v.(shared.UnionString); ok {
				out[k] = string(str)
			}
		}
	}
	return out, nil
}

// Keys returns an auto-pager over the keys under prefix.
func (s *Store) Keys(ctx context.Context, prefix string, pageSize int) *pagination.CursorLimitPaginationAutoPager[kv.Key] {
	return s.api.KV.Namespaces.Keys.ListAutoPaging(ctx, s.namespaceID, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.accountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(pageSize)),
	})
}

// Mutate applies fn to the current value of key and stores the result. fn
// receives nil when the key does not exist yet.
func (s *Store) Mutate(ctx context.Context, key string, ttl time.Duration, fn func(old []byte) ([]byte, error)) error {
	old, err := s.Get(ctx, key)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	next, err := fn(old)
	if err != nil {
		return err
	}
	return s.Put(ctx, key, next, ttl) // EXPECT kvrace
}
