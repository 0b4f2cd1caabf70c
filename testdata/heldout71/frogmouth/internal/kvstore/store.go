// Package kvstore adapts the Cloudflare REST API for Workers KV to the small
// surface that the control plane, the sandbox host and the plugins need.
package kvstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/option"
)

// ErrNotFound is returned by Get when the key does not exist.
var ErrNotFound = errors.New("kvstore: key not found")

// MaxValueBytes is the largest value a namespace accepts.
const MaxValueBytes = 25 << 20

const (
	maxBulkWrite = 10_000
)

// Store is one KV namespace in one account.
type Store struct {
	api       *cloudflare.Client
	accountID string
	namespace string
}

// New returns a Store for namespaceID. The client is shared between stores.
func New(api *cloudflare.Client, accountID, namespaceID string) *Store {
	return &Store{api: api, accountID: accountID, namespace: namespaceID}
}

// NewClient builds an API client from a token with the retry policy the
// platform uses everywhere.
func NewClient(token string) *cloudflare.Client {
	return cloudflare.NewClient(
		option.WithAPIToken(token),
		option.WithMaxRetries(3),
		option.WithRequestTimeout(20*time.Second),
	)
}

// API exposes the underlying client for code that needs the full SDK.
func (s *Store) API() *cloudflare.Client { return s.api }

// AccountID returns the account the namespace belongs to.
func (s *Store) AccountID() string { return s.accountID }

// NamespaceID returns the namespace identifier.
func (s *Store) NamespaceID() string { return s.namespace }

// Get returns the value stored under key, or ErrNotFound.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := s.api.KV.Namespaces.Values.Get(ctx, s.namespace, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if err != nil {
		if IsStatus(err, http.StatusNotFound) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("kv get %q: %w", key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(io.LimitReader(res.Body, MaxValueBytes))
}

// IsStatus reports whether err is an API error with the given HTTP status.
func IsStatus(err error, status int) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == status
}

// Put stores value under key. A zero ttl stores the value without expiry.
func (s *Store) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return s.write(ctx, key, value, ttl, nil)
}

// PutWithMetadata stores value and attaches metadata that List returns.
func (s *Store) PutWithMetadata(ctx context.Context, key string, value []byte, ttl time.Duration, meta any) error {
	return s.write(ctx, key, value, ttl, meta)
}

// PutCache stores a cache entry. Cache entries live at least a minute.
func (s *Store) PutCache(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return s.write(ctx, key, value, ttl, nil)
}

// PutAt stores value until the absolute time at.
func (s *Store) PutAt(ctx context.Context, key string, value []byte, at time.Time) error {
	_, err := s.api.KV.Namespaces.Values.Update(ctx, s.namespace, key, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(s.accountID),
		Value:      cloudflare.F(string(value)),
		Expiration: cloudflare.F(float64(at.Unix())),
	})
	if err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

func (s *Store) write(ctx context.Context, key string, value []byte, ttl time.Duration, meta any) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Value:     cloudflare.F(string(value)),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(float64(int(ttl.Seconds())))
	}
	if meta != nil {
		params.Metadata = cloudflare.F[any](meta)
	}
	if _, err := s.api.KV.Namespaces.Values.Update(ctx, s.namespace, key, params); err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// Delete removes key. Deleting a missing key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.api.KV.Namespaces.Values.Delete(ctx, s.namespace, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if err != nil && !IsStatus(err, http.StatusNotFound) {
		return fmt.Errorf("kv delete %q: %w", key, err)
	}
	return nil
}

// Page is one page of a key listing. An empty Cursor means the listing is done.
type Page struct {
	Keys   []kv.Key
	Cursor string
}

// Done reports whether there are no more pages after this one.
func (p Page) Done() bool { return p.Cursor == "" }

// Names returns the key names of the page.
func (p Page) Names() []string {
	out := make([]string, 0, len(p.Keys))
	for _, k := range p.Keys {
		out = append(out, k.Name)
	}
	return out
}

// List returns one page of keys under prefix, starting at cursor.
func (s *Store) List(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(s.accountID)}
	if prefix != "" {
		params.Prefix = cloudflare.F(prefix)
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	if limit > 0 {
		params.Limit = cloudflare.F(float64(limit))
	}
	res, err := s.api.KV.Namespaces.Keys.List(ctx, s.namespace, params)
	if err != nil {
		return Page{}, fmt.Errorf("kv list %q: %w", prefix, err)
	}
	return Page{Keys: res.Result, Cursor: res.ResultInfo.Cursors.After}, nil
}

// Entry is one pair for PutMany.
type Entry struct {
	Key      string
	Value    []byte
	TTL      time.Duration
	Metadata any
}

// PutMany writes entries through the bulk endpoint and returns the keys that
// KV reported as not written.
func (s *Store) PutMany(ctx context.Context, entries []Entry) ([]string, error) {
	var failed []string
	for chunk := range slices.Chunk(entries, maxBulkWrite) {
		body := make([]kv.NamespaceKeyBulkUpdateParamsBody, 0, len(chunk))
		for _, e := range chunk {
			b := kv.NamespaceKeyBulkUpdateParamsBody{
				Key:   cloudflare.F(e.Key),
				Value: cloudflare.F(string(e.Value)),
			}
			if e.TTL > 0 {
				b.ExpirationTTL = cloudflare.F(float64(int(e.TTL.Seconds())))
			}
			if e.Metadata != nil {
				b.Metadata = cloudflare.F[any](e.Metadata)
			}
			body = append(body, b)
		}
		res, err := s.api.KV.Namespaces.Keys.BulkUpdate(ctx, s.namespace, kv.NamespaceKeyBulkUpdateParams{
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

// DeleteMany removes keys through the bulk endpoint.
func (s *Store) DeleteMany(ctx context.Context, keys []string) error {
	for chunk := range slices.Chunk(keys, maxBulkWrite) {
		_, err := s.api.KV.Namespaces.Keys.BulkDelete(ctx, s.namespace, kv.NamespaceKeyBulkDeleteParams{
			AccountID: cloudflare.F(s.accountID),
			Body:      chunk,
		})
		if err != nil {
			return fmt.Errorf("kv bulk delete: %w", err)
		}
	}
	return nil
}
