//go:build !js

// Package kvstore is the backend adapter over the Cloudflare REST API for
// Workers KV. It translates SDK errors into domain sentinels so callers can
// branch with errors.Is.
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
	"github.com/cloudflare/cloudflare-go/v5/packages/pagination"

	"github.com/cityparking/nuthatch/internal/cache"
	"github.com/cityparking/nuthatch/internal/domain"
)

// Store is one KV namespace reached over the REST API.
type Store struct {
	client      *cloudflare.Client
	accountID   string
	namespaceID string
}

// New binds a Store to a namespace.
func New(client *cloudflare.Client, accountID, namespaceID string) *Store {
	return &Store{client: client, accountID: accountID, namespaceID: namespaceID}
}

// NamespaceID returns the namespace this store writes to.
func (s *Store) NamespaceID() string { return s.namespaceID }

// Entry is one pair of a bulk write.
type Entry struct {
	Key   string
	Value []byte
	TTL   time.Duration
}

// BulkWriter is implemented by stores that can write many pairs in one call.
type BulkWriter interface {
	PutMany(ctx context.Context, entries []Entry) error
}

// Page is one page of a key listing.
type Page struct {
	Keys   []kv.Key
	Cursor string
}

func translate(op, key string, err error) error {
	if err == nil {
		return nil
	}
	var apiErr *cloudflare.Error
	if errors.As(err, &apiErr) {
		switch apiErr.StatusCode {
		case http.StatusNotFound:
			return fmt.Errorf("kv %s %q: %w", op, key, domain.ErrNotFound)
		case http.StatusTooManyRequests:
			return fmt.Errorf("kv %s %q: %w", op, key, domain.ErrThrottled)
		}
	}
	return fmt.Errorf("kv %s %q: %w", op, key, err)
}

// Get reads a value. A missing key yields domain.ErrNotFound.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := s.client.KV.Namespaces.Values.Get(ctx, s.namespaceID, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if err != nil {
		return nil, translate("get", key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// Put writes a value. A ttl of zero stores the value without expiry.
func (s *Store) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Value:     cloudflare.F(string(value)),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(float64(int(ttl.Seconds())))
	}
	_, err := s.client.KV.Namespaces.Values.Update(ctx, s.namespaceID, key, params)
	return translate("put", key, err)
}

// PutCached writes a derived, re-computable value. Short lifetimes are raised
// to the namespace minimum so callers can pass their natural cache window.
func (s *Store) PutCached(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return s.Put(ctx, key, value, ttl)
}

// PutUntil writes a value that expires at an absolute instant.
func (s *Store) PutUntil(ctx context.Context, key string, value []byte, at time.Time) error {
	_, err := s.client.KV.Namespaces.Values.Update(ctx, s.namespaceID, key, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(s.accountID),
		Value:      cloudflare.F(string(value)),
		Expiration: cloudflare.F(float64(at.Unix())),
	})
	return translate("put", key, err)
}

// PutWithMeta writes a value with list-visible metadata.
func (s *Store) PutWithMeta(ctx context.Context, key string, value []byte, meta any, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Value:     cloudflare.F(string(value)),
		Metadata:  cloudflare.F(meta),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	_, err := s.client.KV.Namespaces.Values.Update(ctx, s.namespaceID, key, params)
	return translate("put", key, err)
}

// Delete removes a key. Deleting a missing key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.client.KV.Namespaces.Values.Delete(ctx, s.namespaceID, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if err = translate("delete", key, err); errors.Is(err, domain.ErrNotFound) {
		return nil
	}
	return err
}

// ListPage returns one page of keys under prefix, starting at cursor.
func (s *Store) ListPage(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.accountID),
		Prefix:    cloudflare.F(prefix),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	if limit > 0 {
		params.Limit = cloudflare.F(float64(limit))
	}
	res, err := s.client.KV.Namespaces.Keys.List(ctx, s.namespaceID, params)
	if err != nil {
		return Page{}, translate("list", prefix, err)
	}
	return Page{Keys: res.Result, Cursor: res.ResultInfo.Cursor}, nil
}

// Keys returns an auto-pager over every key under prefix.
func (s *Store) Keys(ctx context.Context, prefix string) *pagination.CursorLimitPaginationAutoPager[kv.Key] {
	return s.client.KV.Namespaces.Keys.ListAutoPaging(ctx, s.namespaceID, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.accountID),
		Prefix:    cloudflare.F(prefix),
	})
}

// PutMany writes entries with the bulk endpoint.
func (s *Store) PutMany(ctx context.Context, entries []Entry) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(entries))
	for _, e := range entries {
		item := kv.NamespaceBulkUpdateParamsBody{
			Key:   cloudflare.F(e.Key),
			Value: cloudflare.F(string(e.Value)),
		}
		if e.TTL > 0 {
			item.ExpirationTTL = cloudflare.F(float64(int(e.TTL.Seconds())))
		}
		body = append(body, item)
	}
	res, err := s.client.KV.Namespaces.BulkUpdate(ctx, s.namespaceID, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Body:      body,
	})
	if err != nil {
		return translate("bulk put", fmt.Sprintf("%d keys", len(entries)), err)
	}
	if n := len(res.UnsuccessfulKeys); n > 0 {
		return fmt.Errorf("kv bulk put: %d keys not written (first %q): %w", n, res.UnsuccessfulKeys[0], domain.ErrThrottled)
	}
	return nil
}

// DeleteMany removes keys with the bulk endpoint.
func (s *Store) DeleteMany(ctx context.Context, keys []string) error {
	_, err := s.client.KV.Namespaces.BulkDelete(ctx, s.namespaceID, kv.NamespaceBulkDeleteParams{
		AccountID: cloudflare.F(s.accountID),
		Body:      keys,
	})
	return translate("bulk delete", fmt.Sprintf("%d keys", len(keys)), err)
}

// PutEntries lets a Store back a write-behind cache with bulk flushes.
func (s *Store) PutEntries(ctx context.Context, entries []cache.Entry) error {
	out := make([]Entry, len(entries))
	for i, e := range entries {
		out[i] = Entry{Key: e.Key, Value: e.Value, TTL: e.TTL}
	}
	return s.PutMany(ctx, out)
}
