// Package kvstore is the team's thin layer over the Cloudflare REST API for
// Workers KV. Every backend package talks to KV through a *Store bound to one
// namespace.
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
	"github.com/cloudflare/cloudflare-go/v6/option"
	"github.com/cloudflare/cloudflare-go/v6/packages/pagination"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// ErrNotFound is returned by Get when the key does not exist (HTTP 404).
var ErrNotFound = errors.New("kvstore: key not found")

// Store is one KV namespace reached through the REST API.
type Store struct {
	api       *cloudflare.Client
	accountID string
	nsID      string
}

// Entry is one pair of a bulk write.
type Entry struct {
	Key      string
	Value    string
	TTL      time.Duration
	Metadata any
}

// Page is one page of a key listing.
type Page struct {
	Keys   []kv.Key
	Cursor string
}

// New returns a Store for namespaceID in accountID.
func New(apiToken, accountID, namespaceID string) *Store {
	return &Store{
		api:       cloudflare.NewClient(option.WithAPIToken(apiToken)),
		accountID: accountID,
		nsID:      namespaceID,
	}
}

// Client exposes the underlying SDK client for callers that need calls the
// Store does not wrap.
func (s *Store) Client() *cloudflare.Client { return s.api }

// AccountID returns the account the namespace belongs to.
func (s *Store) AccountID() string { return s.accountID }

// NamespaceID returns the bound namespace ID.
func (s *Store) NamespaceID() string { return s.nsID }

// Get reads the raw value stored under key.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := s.api.KV.Namespaces.Values.Get(ctx, s.nsID, key, kv.NamespaceValueGetParams{
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

// GetJSON reads key and decodes it into v.
func (s *Store) GetJSON(ctx context.Context, key string, v any) error {
	raw, err := s.Get(ctx, key)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

// Put writes value under key. A zero ttl stores the value without expiry.
func (s *Store) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(float64(int(ttl.Seconds())))
	}
	if _, err := s.api.KV.Namespaces.Values.Update(ctx, s.nsID, key, params); err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// PutJSON encodes v and writes it under key.
func (s *Store) PutJSON(ctx context.Context, key string, v any, ttl time.Duration) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.Put(ctx, key, raw, ttl)
}

// Cache writes a derived value that can always be recomputed. Lifetimes below
// the KV minimum are rounded up so short-lived caches never fail the write.
func (s *Store) Cache(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return s.Put(ctx, key, value, ttl)
}

// PutUntil writes value under key so that it expires at the given instant.
func (s *Store) PutUntil(ctx context.Context, key string, value []byte, at time.Time) error {
	_, err := s.api.KV.Namespaces.Values.Update(ctx, s.nsID, key, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(s.accountID),
		Value:      cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
		Expiration: cloudflare.F(float64(at.Unix())),
	})
	return err
}

// PutWithMetadata writes value and attaches metadata that List returns.
func (s *Store) PutWithMetadata(ctx context.Context, key string, value []byte, meta any, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
		Metadata:  cloudflare.F[any](meta),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	_, err := s.api.KV.Namespaces.Values.Update(ctx, s.nsID, key, params)
	return err
}

// Delete removes key. Deleting a missing key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.api.KV.Namespaces.Values.Delete(ctx, s.nsID, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(s.accountID),
	})
	return err
}

// AppendLine adds one line to a newline-separated log value.
func (s *Store) AppendLine(ctx context.Context, key, line string, ttl time.Duration) error {
	old, err := s.Get(ctx, key)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	next := string(old) + line + "\n"
	return s.Put(ctx, key, []byte(next), ttl) // EXPECT kvrace
}

// List returns one page of keys under prefix starting at cursor.
func (s *Store) List(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.accountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(limit)),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	res, err := s.api.KV.Namespaces.Keys.List(ctx, s.nsID, params)
	if err != nil {
		return Page{}, err
	}
	return Page{Keys: res.Result, Cursor: res.ResultInfo.Cursor}, nil
}

// Keys returns the SDK's auto-pager over every key under prefix.
func (s *Store) Keys(ctx context.Context, prefix string) *pagination.CursorLimitPaginationAutoPager[kv.Key] {
	return s.api.KV.Namespaces.Keys.ListAutoPaging(ctx, s.nsID, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.accountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(1000.0),
	})
}

// BulkPut writes entries in one request.
func (s *Store) BulkPut(ctx context.Context, entries []Entry) error {
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
			b.Metadata = cloudflare.F(e.Metadata)
		}
		body = append(body, b)
	}
	res, err := s.api.KV.Namespaces.BulkUpdate(ctx, s.nsID, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Body:      body,
	})
	if err != nil {
		return err
	}
	if n := len(res.UnsuccessfulKeys); n > 0 {
		return fmt.Errorf("kv bulk put: %d keys failed, first %q", n, res.UnsuccessfulKeys[0])
	}
	return nil
}

// BulkGet reads up to 100 text values at once. Missing keys are absent from
// the result.
func (s *Store) BulkGet(ctx context.Context, keys []string) (map[string]string, error) {
	res, err := s.api.KV.Namespaces.BulkGet(ctx, s.nsID, kv.NamespaceBulkGetParams{
		AccountID: cloudflare.F(s.accountID),
		Keys:      cloudflare.F(keys),
		Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
	})
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(keys))
	values, _ := res.Values.(map[string]kv.NamespaceBulkGetResponseWorkersKVBulkGetResultValuesUnion)
	for k, v := range values {
		if s, ok := v.(shared.UnionString); ok {
			out[k] = string(s)
		}
	}
	return out, nil
}

// BulkDelete removes up to 10,000 keys in one request.
func (s *Store) BulkDelete(ctx context.Context, keys []string) error {
	_, err := s.api.KV.Namespaces.BulkDelete(ctx, s.nsID, kv.NamespaceBulkDeleteParams{
		AccountID: cloudflare.F(s.accountID),
		Body:      keys,
	})
	return err
}

// Metadata returns the metadata stored with key.
func (s *Store) Metadata(ctx context.Context, key string) (any, error) {
	res, err := s.api.KV.Namespaces.Metadata.Get(ctx, s.nsID, key, kv.NamespaceMetadataGetParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if err != nil {
		return nil, err
	}
	return *res, nil
}
