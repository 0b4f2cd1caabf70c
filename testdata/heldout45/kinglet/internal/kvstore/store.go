// Package kvstore is the thin adapter the kinglet services use to reach
// Workers KV through the Cloudflare REST API.
package kvstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"
	"github.com/cloudflare/cloudflare-go/v5/shared"
)

const (
	maxBulkPairs = 10_000
	maxBulkGet   = 100
)

// Store talks to KV on behalf of one Cloudflare account.
type Store struct {
	client    *cloudflare.Client
	accountID string
}

// New returns a Store bound to accountID.
func New(client *cloudflare.Client, accountID string) *Store {
	return &Store{client: client, accountID: accountID}
}

// Client exposes the underlying SDK client for the few callers that need
// an endpoint the adapter does not wrap.
func (s *Store) Client() *cloudflare.Client { return s.client }

// AccountID is the account the store writes to.
func (s *Store) AccountID() string { return s.accountID }

// IsNotFound reports whether err is the API's 404 for a missing key.
func IsNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Get returns the raw value stored under key.
func (s *Store) Get(ctx context.Context, namespaceID, key string) ([]byte, error) {
	res, err := s.client.KV.Namespaces.Values.Get(ctx, namespaceID, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// GetJSON decodes the value stored under key into dst.
func (s *Store) GetJSON(ctx context.Context, namespaceID, key string, dst any) error {
	raw, err := s.Get(ctx, namespaceID, key)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, dst)
}

// Put stores value under key. A zero ttl stores the value without expiry.
func (s *Store) Put(ctx context.Context, namespaceID, key string, value []byte, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Value:     cloudflare.F(string(value)),
	}
	if ttl > 0 {
		secs := int(ttl.Seconds())
		params.ExpirationTTL = cloudflare.F(float64(secs))
	}
	_, err := s.client.KV.Namespaces.Values.Update(ctx, namespaceID, key, params)
	if err != nil {
		return fmt.Errorf("kv put %s: %w", key, err)
	}
	return nil
}

// PutJSON encodes v and stores it under key.
func (s *Store) PutJSON(ctx context.Context, namespaceID, key string, v any, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.Put(ctx, namespaceID, key, b, ttl)
}

// PutCached stores a cache entry. Cache lifetimes come from several
// places, so the lifetime is raised to the one-minute minimum here.
func (s *Store) PutCached(ctx context.Context, namespaceID, key string, value []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return s.Put(ctx, namespaceID, key, value, ttl)
}

// PutWithMeta stores value with list-visible metadata.
func (s *Store) PutWithMeta(ctx context.Context, namespaceID, key string, value []byte, ttl time.Duration, meta any) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Value:     cloudflare.F(string(value)),
		Metadata:  cloudflare.F[any](meta),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	_, err := s.client.KV.Namespaces.Values.Update(ctx, namespaceID, key, params)
	return err
}

// PutUntil stores value so that it expires at the given instant.
func (s *Store) PutUntil(ctx context.Context, namespaceID, key string, value []byte, at time.Time) error {
	_, err := s.client.KV.Namespaces.Values.Update(ctx, namespaceID, key, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(s.accountID),
		Value:      cloudflare.F(string(value)),
		Expiration: cloudflare.F(float64(at.Unix())),
	})
	return err
}

// Delete removes key.
func (s *Store) Delete(ctx context.Context, namespaceID, key string) error {
	_, err := s.client.KV.Namespaces.Values.Delete(ctx, namespaceID, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if err != nil && !IsNotFound(err) {
		return fmt.Errorf("kv delete %s: %w", key, err)
	}
	return nil
}

// ListPage returns one page of keys under prefix and the cursor for the
// next page ("" when there are no more).
func (s *Store) ListPage(ctx context.Context, namespaceID, prefix, cursor string, limit int) ([]kv.Key, string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.accountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(limit)),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := s.client.KV.Namespaces.Keys.List(ctx, namespaceID, params)
	if err != nil {
		return nil, "", err
	}
	return page.Result, page.ResultInfo.Cursor, nil
}

// Entry is one pair of a bulk write.
type Entry struct {
	Key   string
	Value string
	TTL   time.Duration
	Meta  map[string]any
}

// BulkPut writes entries in batches the bulk endpoint accepts.
func (s *Store) BulkPut(ctx context.Context, namespaceID string, entries []Entry) (failed []string, err error) {
	for batch := range slices.Chunk(entries, maxBulkPairs) {
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(batch))
		for _, e := range batch {
			b := kv.NamespaceBulkUpdateParamsBody{
				Key:   cloudflare.F(e.Key),
				Value: cloudflare.F(e.Value),
			}
			if e.TTL > 0 {
				b.ExpirationTTL = cloudflare.F(e.TTL.Seconds())
			}
			if e.Meta != nil {
				b.Metadata = cloudflare.F[any](e.Meta)
			}
			body = append(body, b)
		}
		res, err := s.client.KV.Namespaces.BulkUpdate(ctx, namespaceID, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(s.accountID),
			Body:      body,
		})
		if err != nil {
			return failed, err
		}
		failed = append(failed, res.UnsuccessfulKeys...)
	}
	return failed, nil
}

// BulkGet reads up to len(keys) text values, 100 per request. Missing
// keys are absent from the result.
func (s *Store) BulkGet(ctx context.Context, namespaceID string, keys []string) (map[string]string, error) {
	out := make(map[string]string, len(keys))
	for batch := range slices.Chunk(keys, maxBulkGet) {
		res, err := s.client.KV.Namespaces.BulkGet(ctx, namespaceID, kv.NamespaceBulkGetParams{
			AccountID: cloudflare.F(s.accountID),
			Keys:      cloudflare.F(batch),
			Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
		})
		if err != nil {
			return nil, err
		}
		r, ok := res.AsUnion().(kv.NamespaceBulkGetResponseWorkersKVBulkGetResult)
		if !ok {
			continue
		}
		for k, v := range r.Values {
			if str, ok := v.(shared.UnionString); ok {
				out[k] = string(str)
			}
		}
	}
	return out, nil
}

// AppendJSON adds item to the JSON array stored under key, creating the
// array when the key does not exist yet.
func (s *Store) AppendJSON(ctx context.Context, namespaceID, key string, item any, ttl time.Duration) error {
	var list []json.RawMessage
	raw, err := s.Get(ctx, namespaceID, key)
	switch {
	case IsNotFound(err):
	case err != nil:
		return err
	default:
		if err := json.Unmarshal(raw, &list); err != nil {
			return fmt.Errorf("decode %s: %w", key, err)
		}
	}
	b, err := json.Marshal(item)
	if err != nil {
		return err
	}
	list = append(list, b)
	return s.PutJSON(ctx, namespaceID, key, list, ttl) // EXPECT kvrace
}
