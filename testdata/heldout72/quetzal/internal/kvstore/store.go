// Package kvstore is the backend's adapter over the Cloudflare REST API for a
// single Workers KV namespace.
package kvstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"
	"github.com/cloudflare/cloudflare-go/v3/option"
)

// ErrNotFound is returned by Get when the key does not exist.
var ErrNotFound = errors.New("kvstore: key not found")

// Store reads and writes one namespace of one account.
type Store struct {
	api       *cloudflare.Client
	accountID string
	namespace string
}

// New returns a Store for the given account and namespace.
func New(api *cloudflare.Client, accountID, namespaceID string) *Store {
	return &Store{api: api, accountID: accountID, namespace: namespaceID}
}

// Dial builds the API client from a token and returns a Store.
func Dial(token, accountID, namespaceID string) *Store {
	api := cloudflare.NewClient(option.WithAPIToken(token), option.WithMaxRetries(2))
	return New(api, accountID, namespaceID)
}

// Client exposes the underlying SDK client for callers that need list pagination.
func (s *Store) Client() *cloudflare.Client { return s.api }

// AccountID returns the account the store writes to.
func (s *Store) AccountID() string { return s.accountID }

// NamespaceID returns the KV namespace identifier.
func (s *Store) NamespaceID() string { return s.namespace }

// Get returns the raw value stored under key.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := s.api.KV.Namespaces.Values.Get(ctx, s.namespace, key, kv.NamespaceValueGetParams{
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

// Put stores value under key. A zero ttl keeps the value until it is deleted.
//
// The single-value endpoint of this SDK version cannot carry an expiration,
// so writes go through the bulk endpoint with one pair.
func (s *Store) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	pair := kv.NamespaceBulkUpdateParamsBody{
		Key:   cloudflare.F(key),
		Value: cloudflare.F(string(value)),
	}
	if ttl > 0 {
		pair.ExpirationTTL = cloudflare.F(float64(int(ttl.Seconds())))
	}
	return s.PutMany(ctx, []kv.NamespaceBulkUpdateParamsBody{pair})
}

// Cache stores a value derived from another source of truth. Lifetimes under
// a minute are raised to one.
func (s *Store) Cache(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return s.Put(ctx, key, value, ttl)
}

// PutUntil stores value under key until the absolute time at.
func (s *Store) PutUntil(ctx context.Context, key string, value []byte, at time.Time) error {
	return s.PutMany(ctx, []kv.NamespaceBulkUpdateParamsBody{{
		Key:        cloudflare.F(key),
		Value:      cloudflare.F(string(value)),
		Expiration: cloudflare.F(float64(at.Unix())),
	}})
}

// PutPlain writes a value without expiration through the single-value endpoint.
func (s *Store) PutPlain(ctx context.Context, key string, value []byte, metadata string) error {
	if metadata == "" {
		metadata = "{}"
	}
	_, err := s.api.KV.Namespaces.Values.Update(ctx, s.namespace, key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Metadata:  cloudflare.F(metadata),
		Value:     cloudflare.F(string(value)),
	})
	if err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// PutMany writes up to 10,000 pairs in one request.
func (s *Store) PutMany(ctx context.Context, pairs []kv.NamespaceBulkUpdateParamsBody) error {
	if len(pairs) == 0 {
		return nil
	}
	_, err := s.api.KV.Namespaces.Bulk.Update(ctx, s.namespace, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Body:      pairs,
	})
	if err != nil {
		return fmt.Errorf("kv bulk put (%d pairs): %w", len(pairs), err)
	}
	return nil
}

// Delete removes key.
func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.api.KV.Namespaces.Values.Delete(ctx, s.namespace, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if err != nil {
		return fmt.Errorf("kv delete %q: %w", key, err)
	}
	return nil
}

// List returns one page of keys under prefix and the cursor of the next page,
// which is empty on the last page.
func (s *Store) List(ctx context.Context, prefix, cursor string, limit int) ([]kv.Key, string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.accountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(limit)),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := s.api.KV.Namespaces.Keys.List(ctx, s.namespace, params)
	if err != nil {
		return nil, "", fmt.Errorf("kv list %q: %w", prefix, err)
	}
	return page.Result, page.ResultInfo.Cursor, nil
}

// AppendLine adds one line to the text value under key.
func (s *Store) AppendLine(ctx context.Context, key, line string, ttl time.Duration) error {
	old, err := s.Get(ctx, key)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	next := string(old) + line + "\n"
	return s.Put(ctx, key, []byte(next), ttl) // EXPECT kvrace
}
