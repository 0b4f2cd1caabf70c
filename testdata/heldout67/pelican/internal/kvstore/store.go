// Package kvstore is Pelican's thin adapter over the Cloudflare REST API for
// Workers KV. The backend publishes API keys, plans and session projections
// into a namespace that the edge Worker reads.
package kvstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// ErrNotFound is returned by Get when the key does not exist (HTTP 404).
var ErrNotFound = errors.New("kvstore: key not found")

// Store addresses one KV namespace in one account.
type Store struct {
	cf          *cloudflare.Client
	accountID   string
	namespaceID string
}

// New returns a Store for the given account and namespace.
func New(cf *cloudflare.Client, accountID, namespaceID string) *Store {
	return &Store{cf: cf, accountID: accountID, namespaceID: namespaceID}
}

// Client exposes the underlying SDK client and identifiers for callers that
// need an endpoint the adapter does not wrap.
func (s *Store) Client() (*cloudflare.Client, string, string) {
	return s.cf, s.accountID, s.namespaceID
}

// IsNotFound reports whether err is a KV 404 from the REST API.
func IsNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Get reads a value. A missing key yields ErrNotFound.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := s.cf.KV.Namespaces.Values.Get(ctx, s.namespaceID, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if err != nil {
		if IsNotFound(err) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("kv get %q: %w", key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// GetJSON reads and decodes a JSON value.
func (s *Store) GetJSON(ctx context.Context, key string, dst any) error {
	raw, err := s.Get(ctx, key)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, dst)
}

// Params builds update parameters for value; callers may set expiration or
// metadata fields before handing them to PutParams.
func (s *Store) Params(value []byte) kv.NamespaceValueUpdateParams {
	return kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	}
}

// PutParams writes key with fully prepared parameters.
func (s *Store) PutParams(ctx context.Context, key string, params kv.NamespaceValueUpdateParams) error {
	if _, err := s.cf.KV.Namespaces.Values.Update(ctx, s.namespaceID, key, params); err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// Put writes value under key. A zero ttl stores the value without expiry.
func (s *Store) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	params := s.Params(value)
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(float64(int(ttl.Seconds())))
	}
	return s.PutParams(ctx, key, params)
}

// PutCache writes a cache entry. Entries live at least one minute, the
// shortest lifetime KV supports.
func (s *Store) PutCache(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return s.Put(ctx, key, value, ttl)
}

// PutAt writes value so that it expires at the given instant.
func (s *Store) PutAt(ctx context.Context, key string, value []byte, at time.Time) error {
	params := s.Params(value)
	params.Expiration = cloudflare.F(float64(at.Unix()))
	return s.PutParams(ctx, key, params)
}

// PutMeta writes value with metadata attached.
func (s *Store) PutMeta(ctx context.Context, key string, value []byte, meta any, ttl time.Duration) error {
	params := s.Params(value)
	params.Metadata = cloudflare.F[any](meta)
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	return s.PutParams(ctx, key, params)
}

// PutJSON encodes v and writes it.
func (s *Store) PutJSON(ctx context.Context, key string, v any, ttl time.Duration) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.Put(ctx, key, body, ttl)
}

// Delete removes key. Deleting a missing key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.cf.KV.Namespaces.Values.Delete(ctx, s.namespaceID, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if err != nil && !IsNotFound(err) {
		return fmt.Errorf("kv delete %q: %w", key, err)
	}
	return nil
}

// ListPage returns one page of keys under prefix, starting at cursor, and the
// cursor of the next page ("" when the listing is complete).
func (s *Store) ListPage(ctx context.Context, prefix, cursor string, limit int) ([]kv.Key, string, error) {
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
	page, err := s.cf.KV.Namespaces.Keys.List(ctx, s.namespaceID, params)
	if err != nil {
		return nil, "", fmt.Errorf("kv list %q: %w", prefix, err)
	}
	return page.Result, page.ResultInfo.Cursor, nil
}

// Entry is one pair of a bulk write.
type Entry struct {
	Key   string
	Value string
	TTL   time.Duration
}

// maxBulkPairs is the most pairs the bulk endpoint accepts per request.
const maxBulkPairs = 10_000

// BulkPut writes entries in as few requests as the API allows and returns
// the keys that the API reported as failed.
func (s *Store) BulkPut(ctx context.Context, entries []Entry) ([]string, error) {
	var failed []string
	for start := 0; start < len(entries); start += maxBulkPairs {
		end := min(start+maxBulkPairs, len(entries))
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, end-start)
		for _, e := range entries[start:end] {
			b := kv.NamespaceBulkUpdateParamsBody{
				Key:   cloudflare.F(e.Key),
				Value: cloudflare.F(e.Value),
			}
			if e.TTL > 0 {
				b.ExpirationTTL = cloudflare.F(max(e.TTL, time.Minute).Seconds())
			}
			body = append(body, b)
		}
		res, err := s.cf.KV.Namespaces.BulkUpdate(ctx, s.namespaceID, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(s.accountID),
			Body:      body,
		})
		if err != nil {
			return failed, fmt.Errorf("kv bulk put: %w", err)
		}
		failed = append(failed, res.UnsuccessfulKeys...)
	}
	return failed, nil
}

// maxBulkGet is the most keys one bulk read may name.
const maxBulkGet = 100

// BulkGet reads text values for keys. Keys that do not exist are absent from
// the returned map.
func (s *Store) BulkGet(ctx context.Context, keys []string) (map[string]string, error) {
	out := make(map[string]string, len(keys))
	for start := 0; start < len(keys); start += maxBulkGet {
		end := min(start+maxBulkGet, len(keys))
		res, err := s.cf.KV.Namespaces.BulkGet(ctx, s.namespaceID, kv.NamespaceBulkGetParams{
			AccountID: cloudflare.F(s.accountID),
			Keys:      cloudflare.F(keys[start:end]),
			Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
		})
		if err != nil {
			return nil, fmt.Errorf("kv bulk get: %w", err)
		}
		result, ok := res.AsUnion().(kv.NamespaceBulkGetResponseWorkersKVBulkGetResult)
		if !ok {
			continue
		}
		for k, v := range result.Values {
			if s, ok := v.(shared.UnionString); ok {
				out[k] = string(s)
			}
		}
	}
	return out, nil
}

// AppendUnique adds item to the JSON string array stored at key, creating
// the array when the key does not exist yet.
func (s *Store) AppendUnique(ctx context.Context, key, item string) error {
	var items []string
	if err := s.GetJSON(ctx, key, &items); err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	for _, it := range items {
		if it == item {
			return nil
		}
	}
	items = append(items, item)
	return s.PutJSON(ctx, key, items, 0) // EXPECT kvrace
}
