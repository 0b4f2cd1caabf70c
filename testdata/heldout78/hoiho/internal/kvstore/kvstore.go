// Package kvstore is the registry's thin adapter over the Cloudflare REST API
// for Workers KV. Every backend package talks to KV through a *Store so that
// account and namespace identifiers, key escaping and error mapping live in
// one place.
package kvstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"
	"github.com/cloudflare/cloudflare-go/v5/option"
)

// ErrNotFound is returned by Get when the key does not exist.
var ErrNotFound = errors.New("kvstore: key not found")

// MaxBulk is the largest number of pairs the bulk endpoints accept per call.
const MaxBulk = 10000

// Store addresses one KV namespace of one account.
type Store struct {
	api       *cloudflare.Client
	account   string
	namespace string
}

// New builds a Store authenticated with an API token.
func New(token, account, namespace string) *Store {
	return &Store{
		api:       cloudflare.NewClient(option.WithAPIToken(token)),
		account:   account,
		namespace: namespace,
	}
}

// Client exposes the underlying SDK client for callers that need the raw API.
func (s *Store) Client() *cloudflare.Client { return s.api }

// Account returns the account identifier.
func (s *Store) Account() string { return s.account }

// Namespace returns the namespace identifier.
func (s *Store) Namespace() string { return s.namespace }

// Get returns the value stored under key, or ErrNotFound.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	resp, err := s.api.KV.Namespaces.Values.Get(ctx, s.namespace, url.PathEscape(key), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.account),
	})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("kv get %q: %w", key, err)
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// GetJSON decodes the value under key into dst.
func (s *Store) GetJSON(ctx context.Context, key string, dst any) error {
	raw, err := s.Get(ctx, key)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, dst)
}

// Put writes value under key. A zero ttl stores the pair without expiry.
func (s *Store) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.account),
		Value:     cloudflare.F(string(value)),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(float64(int(ttl.Seconds())))
	}
	_, err := s.api.KV.Namespaces.Values.Update(ctx, s.namespace, url.PathEscape(key), params)
	return err
}

// PutJSON encodes v and writes it under key.
func (s *Store) PutJSON(ctx context.Context, key string, v any, ttl time.Duration) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.Put(ctx, key, raw, ttl)
}

// Fill writes a read-through cache entry. Cache entries never live shorter
// than a minute.
func (s *Store) Fill(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return s.Put(ctx, key, value, ttl)
}

// PutSeconds writes value with a lifetime given in whole seconds, as the
// dashboard and the lock protocol report it.
func (s *Store) PutSeconds(ctx context.Context, key string, value []byte, seconds int) error {
	_, err := s.api.KV.Namespaces.Values.Update(ctx, s.namespace, url.PathEscape(key), kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(s.account),
		Value:         cloudflare.F(string(value)),
		ExpirationTTL: cloudflare.F(float64(seconds)),
	})
	return err
}

// PutUntil writes value so that it expires at the absolute time at.
func (s *Store) PutUntil(ctx context.Context, key string, value []byte, at time.Time) error {
	_, err := s.api.KV.Namespaces.Values.Update(ctx, s.namespace, url.PathEscape(key), kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(s.account),
		Value:      cloudflare.F(string(value)),
		Expiration: cloudflare.F(float64(at.Unix())),
	})
	return err
}

// PutMeta writes value together with JSON metadata that list results carry.
func (s *Store) PutMeta(ctx context.Context, key string, value []byte, meta any, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.account),
		Value:     cloudflare.F(string(value)),
		Metadata:  cloudflare.F(meta),
	}
	if ttl >= time.Minute {
		params.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	_, err := s.api.KV.Namespaces.Values.Update(ctx, s.namespace, url.PathEscape(key), params)
	return err
}

// Delete removes key. Deleting a missing key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.api.KV.Namespaces.Values.Delete(ctx, s.namespace, url.PathEscape(key), kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(s.account),
	})
	return err
}

// Page returns one page of keys under prefix starting at cursor, and the
// cursor of the next page ("" when there is none).
func (s *Store) Page(ctx context.Context, prefix, cursor string, limit int) ([]kv.Key, string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.account),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(limit)),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := s.api.KV.Namespaces.Keys.List(ctx, s.namespace, params)
	if err != nil {
		return nil, "", err
	}
	return page.Result, page.ResultInfo.Cursor, nil
}

// Update reads the value under key, passes it to fn and stores what fn
// returns. A missing key is passed to fn as nil.
func (s *Store) Update(ctx context.Context, key string, ttl time.Duration, fn func(old []byte) ([]byte, error)) error {
	old, err := s.Get(ctx, key)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	next, err := fn(old)
	if err != nil {
		return err
	}
	return s.Put(ctx, key, next, ttl) // EXPECT kvrace
}

// Entry is one pair of a bulk write.
type Entry struct {
	Key   string
	Value string
	TTL   time.Duration
	Meta  any
}

// BulkPut writes entries in one request. Callers keep batches within MaxBulk.
func (s *Store) BulkPut(ctx context.Context, entries []Entry) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(entries))
	for _, e := range entries {
		b := kv.NamespaceBulkUpdateParamsBody{
			Key:   cloudflare.F(e.Key),
			Value: cloudflare.F(e.Value),
		}
		if e.TTL > 0 {
			b.ExpirationTTL = cloudflare.F(max(e.TTL, time.Minute).Seconds())
		}
		if e.Meta != nil {
			b.Metadata = cloudflare.F(e.Meta)
		}
		body = append(body, b)
	}
	res, err := s.api.KV.Namespaces.BulkUpdate(ctx, s.namespace, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(s.account),
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

// BulkDelete removes up to MaxBulk keys in one request.
func (s *Store) BulkDelete(ctx context.Context, keys []string) error {
	_, err := s.api.KV.Namespaces.BulkDelete(ctx, s.namespace, kv.NamespaceBulkDeleteParams{
		AccountID: cloudflare.F(s.account),
		Body:      keys,
	})
	return err
}

// BulkGet fetches up to 100 text values. Missing keys map to nil.
func (s *Store) BulkGet(ctx context.Context, keys []string) (map[string]*string, error) {
	res, err := s.api.KV.Namespaces.BulkGet(ctx, s.namespace, kv.NamespaceBulkGetParams{
		AccountID: cloudflare.F(s.account),
		Keys:      cloudflare.F(keys),
		Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
	})
	if err != nil {
		return nil, err
	}
	var out struct {
		Values map[string]*string `json:"values"`
	}
	if err := json.Unmarshal([]byte(res.JSON.RawJSON()), &out); err != nil {
		return nil, err
	}
	return out.Values, nil
}

// Meta returns the metadata stored with key.
func (s *Store) Meta(ctx context.Context, key string) (any, error) {
	res, err := s.api.KV.Namespaces.Metadata.Get(ctx, s.namespace, url.PathEscape(key), kv.NamespaceMetadataGetParams{
		AccountID: cloudflare.F(s.account),
	})
	if err != nil {
		return nil, err
	}
	return *res, nil
}
