// Package kvstore is the backend's thin adapter over the Cloudflare REST API
// for Workers KV. Every backend service talks to KV through a Store bound to
// one namespace.
package kvstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"
	"github.com/cloudflare/cloudflare-go/v2/option"
)

// ErrNotFound is returned by Get when the key does not exist (HTTP 404).
var ErrNotFound = errors.New("kvstore: key not found")

// Store is bound to one KV namespace of one account.
type Store struct {
	api       *cloudflare.Client
	accountID string
	namespace string
}

// New builds a Store authenticated with an API token.
func New(apiToken, accountID, namespaceID string) *Store {
	return &Store{
		api:       cloudflare.NewClient(option.WithAPIToken(apiToken)),
		accountID: accountID,
		namespace: namespaceID,
	}
}

// Client exposes the underlying SDK client for callers that need calls the
// adapter does not wrap (auto-paging, metadata-only writes).
func (s *Store) Client() *cloudflare.Client { return s.api }

// AccountID returns the account the namespace lives in.
func (s *Store) AccountID() string { return s.accountID }

// NamespaceID returns the namespace identifier.
func (s *Store) NamespaceID() string { return s.namespace }

func isNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Get reads the value stored at key. A missing key yields ErrNotFound.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := s.api.KV.Namespaces.Values.Get(ctx, s.namespace, url.PathEscape(key), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if err != nil {
		if isNotFound(err) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("kv get %q: %w", key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// GetJSON reads key and decodes it into dst.
func (s *Store) GetJSON(ctx context.Context, key string, dst any) error {
	raw, err := s.Get(ctx, key)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, dst)
}

// Put writes value at key without an expiration. meta may be nil.
func (s *Store) Put(ctx context.Context, key string, value []byte, meta map[string]any) error {
	metaJSON := []byte("{}")
	if meta != nil {
		b, err := json.Marshal(meta)
		if err != nil {
			return err
		}
		metaJSON = b
	}
	_, err := s.api.KV.Namespaces.Values.Update(ctx, s.namespace, url.PathEscape(key), kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Metadata:  cloudflare.F(string(metaJSON)),
		Value:     cloudflare.F(string(value)),
	})
	if err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// PutTTL writes value at key and lets it expire after ttl. The single-value
// endpoint of this API version takes no expiration, so it goes through the
// bulk endpoint with one pair.
func (s *Store) PutTTL(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	_, err := s.api.KV.Namespaces.Bulk.Update(ctx, s.namespace, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Body: []kv.NamespaceBulkUpdateParamsBody{{
			Key:           cloudflare.F(key),
			Value:         cloudflare.F(string(value)),
			ExpirationTTL: cloudflare.F(math.Ceil(ttl.Seconds())),
		}},
	})
	if err != nil {
		return fmt.Errorf("kv put %q (ttl %s): %w", key, ttl, err)
	}
	return nil
}

// PutAt writes value at key and expires it at the given instant.
func (s *Store) PutAt(ctx context.Context, key string, value []byte, at time.Time) error {
	_, err := s.api.KV.Namespaces.Bulk.Update(ctx, s.namespace, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Body: []kv.NamespaceBulkUpdateParamsBody{{
			Key:        cloudflare.F(key),
			Value:      cloudflare.F(string(value)),
			Expiration: cloudflare.F(float64(at.Unix())),
		}},
	})
	if err != nil {
		return fmt.Errorf("kv put %q (until %s): %w", key, at.Format(time.RFC3339), err)
	}
	return nil
}

// Delete removes key. Deleting a missing key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.api.KV.Namespaces.Values.Delete(ctx, s.namespace, url.PathEscape(key), kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if err != nil && !isNotFound(err) {
		return fmt.Errorf("kv delete %q: %w", key, err)
	}
	return nil
}

// ListPage returns one page of keys under prefix starting at cursor, and the
// cursor of the next page ("" when there is none).
func (s *Store) ListPage(ctx context.Context, prefix, cursor string, limit int) ([]kv.Key, string, error) {
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

// AppendJSON decodes the JSON array stored at key, appends item and stores
// the array again with the given lifetime.
func (s *Store) AppendJSON(ctx context.Context, key string, item any, ttl time.Duration) error {
	var list []json.RawMessage
	raw, err := s.Get(ctx, key)
	switch {
	case err == nil:
		if err := json.Unmarshal(raw, &list); err != nil {
			return fmt.Errorf("kv append %q: %w", key, err)
		}
	case !errors.Is(err, ErrNotFound):
		return err
	}
	b, err := json.Marshal(item)
	if err != nil {
		return err
	}
	list = append(list, b)
	out, err := json.Marshal(list)
	if err != nil {
		return err
	}
	return s.PutTTL(ctx, key, out, ttl) // EXPECT kvrace
}

// Entry is one pair of a bulk write.
type Entry struct {
	Key   string
	Value string
	TTL   time.Duration
}

// PutMany writes entries in one bulk request. Callers keep batches at or
// below MaxBulk.
func (s *Store) PutMany(ctx context.Context, entries []Entry) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(entries))
	for _, e := range entries {
		item := kv.NamespaceBulkUpdateParamsBody{
			Key:   cloudflare.F(e.Key),
			Value: cloudflare.F(e.Value),
		}
		if e.TTL > 0 {
			item.ExpirationTTL = cloudflare.F(math.Ceil(max(e.TTL, time.Minute).Seconds()))
		}
		body = append(body, item)
	}
	_, err := s.api.KV.Namespaces.Bulk.Update(ctx, s.namespace, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Body:      body,
	})
	return err
}

// MaxBulk is the largest number of pairs one bulk write accepts.
const MaxBulk = 10_000
