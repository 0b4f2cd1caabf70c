// Package kvstore is hornbill's adapter over the Workers KV REST API
// (cloudflare-go v5). Every backend package talks to KV through a *Store.
package kvstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"
	"github.com/cloudflare/cloudflare-go/v5/packages/pagination"
	"github.com/cloudflare/cloudflare-go/v5/shared"
)

// ErrNotFound is returned by Get when the key does not exist (HTTP 404).
var ErrNotFound = errors.New("kvstore: key not found")

// Store addresses one KV namespace in one account.
type Store struct {
	ns          *kv.NamespaceService
	accountID   string
	namespaceID string
}

// New returns a Store for the namespace.
func New(client *cloudflare.Client, accountID, namespaceID string) *Store {
	return &Store{ns: client.KV.Namespaces, accountID: accountID, namespaceID: namespaceID}
}

// Namespace reports the namespace ID, used in log lines.
func (s *Store) Namespace() string { return s.namespaceID }

// Get returns the value stored under key, or ErrNotFound.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := s.ns.Values.Get(ctx, s.namespaceID, key, kv.NamespaceValueGetParams{
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

// GetJSON decodes the value under key into dst.
func (s *Store) GetJSON(ctx context.Context, key string, dst any) error {
	raw, err := s.Get(ctx, key)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, dst)
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
	_, err := s.ns.Values.Update(ctx, s.namespaceID, key, params)
	if err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// PutJSON encodes v and writes it under key.
func (s *Store) PutJSON(ctx context.Context, key string, v any, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.Put(ctx, key, b, ttl)
}

// CachePut writes a cache entry. Lifetimes under a minute are raised to one
// minute, the shortest lifetime KV keeps.
func (s *Store) CachePut(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return s.Put(ctx, key, value, ttl)
}

// PutWithMeta writes value and metadata under key.
func (s *Store) PutWithMeta(ctx context.Context, key string, value []byte, meta map[string]any, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Value:     cloudflare.F(string(value)),
		Metadata:  cloudflare.F[any](meta),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(float64(int(ttl.Seconds())))
	}
	_, err := s.ns.Values.Update(ctx, s.namespaceID, key, params)
	return err
}

// Delete removes key. Deleting a missing key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.ns.Values.Delete(ctx, s.namespaceID, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(s.accountID),
	})
	return err
}

// Page lists one page of keys under prefix starting at cursor. The returned
// cursor is empty when there are no more keys.
func (s *Store) Page(ctx context.Context, prefix, cursor string, limit int) ([]kv.Key, string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.accountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(limit)),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := s.ns.Keys.List(ctx, s.namespaceID, params)
	if err != nil {
		return nil, "", err
	}
	return page.Result, page.ResultInfo.Cursor, nil
}

// Keys returns the SDK's auto-pager over every key under prefix.
func (s *Store) Keys(ctx context.Context, prefix string) *pagination.CursorLimitPaginationAutoPager[kv.Key] {
	return s.ns.Keys.ListAutoPaging(ctx, s.namespaceID, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.accountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(1000.0),
	})
}

// Entry is one pair for PutMany.
type Entry struct {
	Key   string
	Value string
	TTL   time.Duration
	Meta  map[string]any
}

// maxBulk is the most pairs one bulk write accepts.
const maxBulk = 10_000

// PutMany writes entries with the bulk endpoint, maxBulk pairs per request.
func (s *Store) PutMany(ctx context.Context, entries []Entry) error {
	for start := 0; start < len(entries); start += maxBulk {
		end := min(start+maxBulk, len(entries))
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, end-start)
		for _, e := range entries[start:end] {
			b := kv.NamespaceBulkUpdateParamsBody{
				Key:   cloudflare.F(e.Key),
				Value: cloudflare.F(e.Value),
			}
			if e.TTL >= time.Minute {
				b.ExpirationTTL = cloudflare.F(e.TTL.Seconds())
			}
			if e.Meta != nil {
				b.Metadata = cloudflare.F[any](e.Meta)
			}
			body = append(body, b)
		}
		if _, err := s.ns.BulkUpdate(ctx, s.namespaceID, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(s.accountID),
			Body:      body,
		}); err != nil {
			return fmt.Errorf("kv bulk put [%d:%d]: %w", start, end, err)
		}
	}
	return nil
}

// GetMany reads up to 100 keys in one request. Missing keys are absent from
// the result.
func (s *Store) GetMany(ctx context.Context, keys []string) (map[string]string, error) {
	out := make(map[string]string, len(keys))
	for start := 0; start < len(keys); start += 100 {
		end := min(start+100, len(keys))
		res, err := s.ns.BulkGet(ctx, s.namespaceID, kv.NamespaceBulkGetParams{
			AccountID: cloudflare.F(s.accountID),
			Keys:      cloudflare.F(keys[start:end]),
			Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
		})
		if err != nil {
			return nil, err
		}
		values, _ := res.Values.(map[string]kv.NamespaceBulkGetResponseWorkersKVBulkGetResultValuesUnion)
		for k, v := range values {
			if s, ok := v.(shared.UnionString); ok {
				out[k] = string(s)
			}
		}
	}
	return out, nil
}

// AppendID adds id to the JSON array of IDs stored under key, keeping at
// most keep entries.
func (s *Store) AppendID(ctx context.Context, key, id string, keep int) error {
	var ids []string
	raw, err := s.Get(ctx, key)
	switch {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		return err
	default:
		if err := json.Unmarshal(raw, &ids); err != nil {
			return fmt.Errorf("decode %q: %w", key, err)
		}
	}
	ids = append(ids, id)
	if len(ids) > keep {
		ids = ids[len(ids)-keep:]
	}
	b, _ := json.Marshal(ids)
	return s.Put(ctx, key, b, 0) // EXPECT kvrace
}
