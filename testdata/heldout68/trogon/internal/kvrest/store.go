// Package kvrest is the backend's thin layer over the Workers KV REST API
// (cloudflare-go v5). The Terraform provider and the deploy CLI both run
// in customers' CI and reach KV through it.
package kvrest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"
	"github.com/cloudflare/cloudflare-go/v5/option"
	"github.com/cloudflare/cloudflare-go/v5/packages/pagination"
)

// ErrNotFound is returned by Get when the key does not exist.
var ErrNotFound = errors.New("kvrest: key not found")

// MaxBulk is the number of pairs the bulk endpoints accept per request.
const MaxBulk = 10_000

// Store addresses one KV namespace of one account.
type Store struct {
	api         *cloudflare.Client
	AccountID   string
	NamespaceID string
}

// Settings are what both the provider and the CLI collect from their users.
type Settings struct {
	APIToken    string
	AccountID   string
	NamespaceID string
	BaseURL     string
}

// Open builds a Store from settings.
func Open(s Settings) (*Store, error) {
	if s.APIToken == "" || s.AccountID == "" || s.NamespaceID == "" {
		return nil, errors.New("kvrest: api token, account id and namespace id are required")
	}
	opts := []option.RequestOption{option.WithAPIToken(s.APIToken), option.WithMaxRetries(3)}
	if s.BaseURL != "" {
		opts = append(opts, option.WithBaseURL(s.BaseURL))
	}
	return &Store{api: cloudflare.NewClient(opts...), AccountID: s.AccountID, NamespaceID: s.NamespaceID}, nil
}

// Get returns the raw value of key, or ErrNotFound.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := s.api.KV.Namespaces.Values.Get(ctx, s.NamespaceID, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.AccountID),
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
func (s *Store) Put(ctx context.Context, key, value string, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		Value: cloudflare.F(value),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	return s.Write(ctx, key, params)
}

// PutLease writes a value that must expire on its own, such as a lock. KV
// refuses lifetimes under a minute, so shorter leases are rounded up.
func (s *Store) PutLease(ctx context.Context, key, value string, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return s.Write(ctx, key, kv.NamespaceValueUpdateParams{
		Value:         cloudflare.F(value),
		ExpirationTTL: cloudflare.F(ttl.Seconds()),
	})
}

// PutUntil writes a value that expires at a wall-clock time.
func (s *Store) PutUntil(ctx context.Context, key, value string, at time.Time) error {
	return s.Write(ctx, key, kv.NamespaceValueUpdateParams{
		Value:      cloudflare.F(value),
		Expiration: cloudflare.F(float64(at.Unix())),
	})
}

// Write sends a prepared update; callers that need metadata build the
// params themselves.
func (s *Store) Write(ctx context.Context, key string, params kv.NamespaceValueUpdateParams) error {
	params.AccountID = cloudflare.F(s.AccountID)
	if _, err := s.api.KV.Namespaces.Values.Update(ctx, s.NamespaceID, key, params); err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// Delete removes key. Deleting a missing key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.api.KV.Namespaces.Values.Delete(ctx, s.NamespaceID, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(s.AccountID),
	})
	if err != nil {
		return fmt.Errorf("kv delete %q: %w", key, err)
	}
	return nil
}

// Page lists one page of keys under prefix and returns the cursor of the
// next page, which is empty on the last page.
func (s *Store) Page(ctx context.Context, prefix, cursor string, limit int) ([]kv.Key, string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.AccountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(limit)),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := s.api.KV.Namespaces.Keys.List(ctx, s.NamespaceID, params)
	if err != nil {
		return nil, "", fmt.Errorf("kv list %q: %w", prefix, err)
	}
	return page.Result, page.ResultInfo.Cursor, nil
}

// Keys returns an auto-pager over every key under prefix.
func (s *Store) Keys(ctx context.Context, prefix string) *pagination.CursorLimitPaginationAutoPager[kv.Key] {
	return s.api.KV.Namespaces.Keys.ListAutoPaging(ctx, s.NamespaceID, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.AccountID),
		Prefix:    cloudflare.F(prefix),
	})
}

// BulkPut uploads entries, split into requests the API accepts. Keys the
// API reports as failed are returned so the caller can retry them.
func (s *Store) BulkPut(ctx context.Context, entries []kv.NamespaceBulkUpdateParamsBody) ([]string, error) {
	var failed []string
	for chunk := range slices.Chunk(entries, MaxBulk) {
		res, err := s.api.KV.Namespaces.BulkUpdate(ctx, s.NamespaceID, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(s.AccountID),
			Body:      chunk,
		})
		if err != nil {
			return failed, fmt.Errorf("kv bulk put: %w", err)
		}
		failed = append(failed, res.UnsuccessfulKeys...)
	}
	return failed, nil
}

// BulkPutBatch uploads one prepared batch as a single request.
func (s *Store) BulkPutBatch(ctx context.Context, batch []kv.NamespaceBulkUpdateParamsBody) error {
	_, err := s.api.KV.Namespaces.BulkUpdate(ctx, s.NamespaceID, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(s.AccountID),
		Body:      batch,
	})
	return err
}

// BulkDelete removes keys in chunks the API accepts.
func (s *Store) BulkDelete(ctx context.Context, keys []string) error {
	for chunk := range slices.Chunk(keys, MaxBulk) {
		_, err := s.api.KV.Namespaces.BulkDelete(ctx, s.NamespaceID, kv.NamespaceBulkDeleteParams{
			AccountID: cloudflare.F(s.AccountID),
			Body:      chunk,
		})
		if err != nil {
			return fmt.Errorf("kv bulk delete: %w", err)
		}
	}
	return nil
}
