// Package cfkv is the backend's adapter over the Cloudflare REST API for
// Workers KV (cloudflare-go v5).
package cfkv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"
	"github.com/cloudflare/cloudflare-go/v5/option"

	"scaup/internal/kverr"
)

// Store addresses one namespace of one account.
type Store struct {
	Client    *cloudflare.Client
	AccountID string
	Namespace string
	// OnCall, when set, receives the outcome of every KV call.
	OnCall func(op string, d time.Duration)
}

// New returns a Store authenticated with an API token.
func New(apiToken, accountID, namespaceID string) *Store {
	return &Store{
		Client:    cloudflare.NewClient(option.WithAPIToken(apiToken), option.WithMaxRetries(3)),
		AccountID: accountID,
		Namespace: namespaceID,
	}
}

func (s *Store) observe(op string, start time.Time) {
	if s.OnCall != nil {
		s.OnCall(op, time.Since(start))
	}
}

// escape URL-encodes a key name; the API takes it as a path segment.
func escape(key string) string { return url.PathEscape(key) }

// mapErr turns an API 404 into *kverr.NotFoundError, keeping the cause.
func mapErr(key string, err error) error {
	var apiErr *cloudflare.Error
	if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
		return errors.Join(&kverr.NotFoundError{Key: key}, err)
	}
	return err
}

// Get returns the value of key. A missing key is a *kverr.NotFoundError.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	defer s.observe("get", time.Now())
	resp, err := s.Client.KV.Namespaces.Values.Get(ctx, s.Namespace, escape(key), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.AccountID),
	})
	if err != nil {
		return nil, mapErr(key, err)
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// Put writes a value that never expires.
func (s *Store) Put(ctx context.Context, key string, val []byte) error {
	return s.write(ctx, key, kv.NamespaceValueUpdateParams{Value: cloudflare.F(string(val))})
}

// PutTTL writes a value that expires after ttl; KV's one-minute floor is
// applied here so callers can pass any duration.
func (s *Store) PutTTL(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return s.write(ctx, key, kv.NamespaceValueUpdateParams{
		Value:         cloudflare.F(string(val)),
		ExpirationTTL: cloudflare.F(ttl.Seconds()),
	})
}

// PutExpiring writes a value that expires after ttlSeconds.
func (s *Store) PutExpiring(ctx context.Context, key string, val []byte, ttlSeconds int) error {
	return s.write(ctx, key, kv.NamespaceValueUpdateParams{
		Value:         cloudflare.F(string(val)),
		ExpirationTTL: cloudflare.F(float64(ttlSeconds)),
	})
}

// PutUntil writes a value that expires at the given Unix time (seconds).
func (s *Store) PutUntil(ctx context.Context, key string, val []byte, expiresAt int64) error {
	return s.write(ctx, key, kv.NamespaceValueUpdateParams{
		Value:      cloudflare.F(string(val)),
		Expiration: cloudflare.F(float64(expiresAt)),
	})
}

// PutMeta writes a value with metadata and a lifetime.
func (s *Store) PutMeta(ctx context.Context, key string, val []byte, meta any, ttl time.Duration) error {
	return s.write(ctx, key, kv.NamespaceValueUpdateParams{
		Value:         cloudflare.F(string(val)),
		Metadata:      cloudflare.F[any](meta),
		ExpirationTTL: cloudflare.F(max(ttl, time.Minute).Seconds()),
	})
}

func (s *Store) write(ctx context.Context, key string, p kv.NamespaceValueUpdateParams) error {
	defer s.observe("put", time.Now())
	p.AccountID = cloudflare.F(s.AccountID)
	if _, err := s.Client.KV.Namespaces.Values.Update(ctx, s.Namespace, escape(key), p); err != nil {
		return fmt.Errorf("kv put %s: %w", key, err)
	}
	return nil
}

// Delete removes key. Deleting a missing key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	defer s.observe("delete", time.Now())
	_, err := s.Client.KV.Namespaces.Values.Delete(ctx, s.Namespace, escape(key), kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(s.AccountID),
	})
	return mapErr(key, err)
}

// ListPage returns one page of keys and the cursor of the next page, ""
// when there is none.
func (s *Store) ListPage(ctx context.Context, prefix, cursor string, limit int) ([]kv.Key, string, error) {
	defer s.observe("list", time.Now())
	p := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.AccountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(min(max(limit, 10), 1000))),
	}
	if cursor != "" {
		p.Cursor = cloudflare.F(cursor)
	}
	page, err := s.Client.KV.Namespaces.Keys.List(ctx, s.Namespace, p)
	if err != nil {
		return nil, "", err
	}
	return page.Result, page.ResultInfo.Cursor, nil
}

// BulkPut writes up to 10,000 pairs in one request.
func (s *Store) BulkPut(ctx context.Context, items []kv.NamespaceBulkUpdateParamsBody) error {
	defer s.observe("bulk_put", time.Now())
	res, err := s.Client.KV.Namespaces.BulkUpdate(ctx, s.Namespace, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(s.AccountID),
		Body:      items,
	})
	if err != nil {
		return err
	}
	if n := len(res.UnsuccessfulKeys); n > 0 {
		return fmt.Errorf("bulk put: %d of %d keys failed (first %q)", n, len(items), res.UnsuccessfulKeys[0])
	}
	return nil
}

// BulkDelete deletes up to 10,000 keys in one request.
func (s *Store) BulkDelete(ctx context.Context, keys []string) error {
	defer s.observe("bulk_delete", time.Now())
	_, err := s.Client.KV.Namespaces.BulkDelete(ctx, s.Namespace, kv.NamespaceBulkDeleteParams{
		AccountID: cloudflare.F(s.AccountID),
		Body:      keys,
	})
	return err
}

// Pair builds one bulk-write item.
func Pair(key string, val []byte, ttl time.Duration) kv.NamespaceBulkUpdateParamsBody {
	b := kv.NamespaceBulkUpdateParamsBody{Key: cloudflare.F(key), Value: cloudflare.F(string(val))}
	if ttl > 0 {
		b.ExpirationTTL = cloudflare.F(max(ttl, time.Minute).Seconds())
	}
	return b
}
