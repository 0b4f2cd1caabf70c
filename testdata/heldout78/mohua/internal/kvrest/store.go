// Package kvrest adapts the Cloudflare REST API (cloudflare-go v3) to the
// small set of Workers KV operations the backend needs.
package kvrest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"
	"github.com/cloudflare/cloudflare-go/v3/option"
)

// ErrNotFound is returned by Get when the key does not exist.
var ErrNotFound = errors.New("kvrest: key not found")

// maxBulk is the number of pairs the bulk endpoint accepts per request.
const maxBulk = 10_000

// Namespace is a KV namespace ID.
type Namespace string

// Entry is one pair of a bulk write.
type Entry struct {
	Key      string
	Value    []byte
	TTL      time.Duration
	Metadata map[string]any
}

// Store talks to Workers KV for one account.
type Store struct {
	client    *cloudflare.Client
	accountID string
}

// New returns a Store authenticated with an API token.
func New(accountID, apiToken string) *Store {
	return &Store{
		client:    cloudflare.NewClient(option.WithAPIToken(apiToken), option.WithMaxRetries(3)),
		accountID: accountID,
	}
}

// Client exposes the underlying SDK client for the few callers that need it.
func (s *Store) Client() *cloudflare.Client { return s.client }

// AccountID returns the account the store writes to.
func (s *Store) AccountID() string { return s.accountID }

// Get reads a value. A missing key yields ErrNotFound.
func (s *Store) Get(ctx context.Context, ns Namespace, key string) ([]byte, error) {
	res, err := s.client.KV.Namespaces.Values.Get(ctx, string(ns), key, kv.NamespaceValueGetParams{
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

// Put writes a value without expiration.
func (s *Store) Put(ctx context.Context, ns Namespace, key string, value []byte) error {
	_, err := s.client.KV.Namespaces.Values.Update(ctx, string(ns), key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Metadata:  cloudflare.F("{}"),
		Value:     cloudflare.F(string(value)),
	})
	if err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// PutTTL writes a value that expires after ttl. The v3 values endpoint does
// not expose expiration_ttl, so a single-pair bulk write is used instead.
func (s *Store) PutTTL(ctx context.Context, ns Namespace, key string, value []byte, ttl time.Duration) error {
	_, err := s.client.KV.Namespaces.Bulk.Update(ctx, string(ns), kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Body: []kv.NamespaceBulkUpdateParamsBody{{
			Key:           cloudflare.F(key),
			Value:         cloudflare.F(string(value)),
			ExpirationTTL: cloudflare.F(float64(int(ttl.Seconds()))),
		}},
	})
	if err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// PutCached writes a cache entry. Lifetimes below the KV minimum are raised
// to one minute.
func (s *Store) PutCached(ctx context.Context, ns Namespace, key string, value []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return s.PutTTL(ctx, ns, key, value, ttl)
}

// PutUntil writes a value that expires at an absolute time.
func (s *Store) PutUntil(ctx context.Context, ns Namespace, key string, value []byte, at time.Time) error {
	_, err := s.client.KV.Namespaces.Bulk.Update(ctx, string(ns), kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Body: []kv.NamespaceBulkUpdateParamsBody{{
			Key:        cloudflare.F(key),
			Value:      cloudflare.F(string(value)),
			Expiration: cloudflare.F(float64(at.Unix())),
		}},
	})
	return err
}

// Delete removes a key. Deleting a missing key is not an error.
func (s *Store) Delete(ctx context.Context, ns Namespace, key string) error {
	_, err := s.client.KV.Namespaces.Values.Delete(ctx, string(ns), key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(s.accountID),
	})
	return err
}

// BulkPut writes entries in requests of at most 10,000 pairs.
func (s *Store) BulkPut(ctx context.Context, ns Namespace, entries []Entry) error {
	for chunk := range slices.Chunk(entries, maxBulk) {
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(chunk))
		for _, e := range chunk {
			b := kv.NamespaceBulkUpdateParamsBody{
				Key:   cloudflare.F(e.Key),
				Value: cloudflare.F(string(e.Value)),
			}
			if e.TTL > 0 {
				b.ExpirationTTL = cloudflare.F(max(e.TTL, time.Minute).Seconds())
			}
			if e.Metadata != nil {
				b.Metadata = cloudflare.F(e.Metadata)
			}
			body = append(body, b)
		}
		if _, err := s.client.KV.Namespaces.Bulk.Update(ctx, string(ns), kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(s.accountID),
			Body:      body,
		}); err != nil {
			return fmt.Errorf("kv bulk put: %w", err)
		}
	}
	return nil
}

// BulkDelete removes keys in requests of at most 10,000 keys.
func (s *Store) BulkDelete(ctx context.Context, ns Namespace, keys []string) error {
	for chunk := range slices.Chunk(keys, maxBulk) {
		payload, err := json.Marshal(chunk)
		if err != nil {
			return err
		}
		_, err = s.client.KV.Namespaces.Bulk.Delete(ctx, string(ns), kv.NamespaceBulkDeleteParams{
			AccountID: cloudflare.F(s.accountID),
		}, option.WithRequestBody("application/json", bytes.NewReader(payload)))
		if err != nil {
			return fmt.Errorf("kv bulk delete: %w", err)
		}
	}
	return nil
}

// Page is one page of a key listing.
type Page struct {
	Keys   []kv.Key
	Cursor string
}

// ListPage returns one page of keys under prefix, starting at cursor.
func (s *Store) ListPage(ctx context.Context, ns Namespace, prefix, cursor string, limit int) (Page, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.accountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(limit)),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	res, err := s.client.KV.Namespaces.Keys.List(ctx, string(ns), params)
	if err != nil {
		return Page{}, err
	}
	return Page{Keys: res.Result, Cursor: res.ResultInfo.Cursor}, nil
}

// Meta returns the metadata stored with key.
func (s *Store) Meta(ctx context.Context, ns Namespace, key string) (map[string]any, error) {
	res, err := s.client.KV.Namespaces.Metadata.Get(ctx, string(ns), key, kv.NamespaceMetadataGetParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if err != nil {
		return nil, err
	}
	return map[string]any(*res), nil
}
