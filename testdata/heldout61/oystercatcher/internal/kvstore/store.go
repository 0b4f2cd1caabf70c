// Package kvstore is the backend's adapter over the Workers KV REST API
// (cloudflare-go v4). It speaks bytes and time.Duration so that the domain
// packages never build SDK params themselves.
package kvstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
	"github.com/cloudflare/cloudflare-go/v4/option"
)

// ErrNotFound is returned by Get when the key does not exist (HTTP 404).
var ErrNotFound = errors.New("kvstore: key not found")

// Store is one KV namespace of one account.
type Store struct {
	ns          *kv.NamespaceService
	accountID   string
	namespaceID string
}

// Client builds the SDK client shared by all namespaces.
func Client(apiToken string) *cloudflare.Client {
	return cloudflare.NewClient(
		option.WithAPIToken(apiToken),
		option.WithMaxRetries(3),
		option.WithRequestTimeout(10*time.Second),
	)
}

// New returns a Store for namespaceID.
func New(c *cloudflare.Client, accountID, namespaceID string) *Store {
	return &Store{ns: c.KV.Namespaces, accountID: accountID, namespaceID: namespaceID}
}

// Namespace exposes the SDK service for callers that need raw params.
func (s *Store) Namespace() (*kv.NamespaceService, string, string) {
	return s.ns, s.accountID, s.namespaceID
}

func escape(key string) string { return url.PathEscape(key) }

// Get returns the value stored under key, or ErrNotFound.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := s.ns.Values.Get(ctx, s.namespaceID, escape(key), kv.NamespaceValueGetParams{
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

// Put writes value under key. A zero ttl stores the value without expiry.
func (s *Store) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Value:     cloudflare.F(string(value)),
	}
	if ttl > 0 {
		secs := int(ttl.Seconds())
		params.ExpirationTTL = cloudflare.F(float64(secs))
	}
	if _, err := s.ns.Values.Update(ctx, s.namespaceID, escape(key), params); err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// PutCached writes a cache entry. Cache lifetimes come from configuration,
// so anything under KV's one-minute floor is raised to it.
func (s *Store) PutCached(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return s.Put(ctx, key, value, ttl)
}

// Delete removes key. Deleting a missing key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.ns.Values.Delete(ctx, s.namespaceID, escape(key), kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(s.accountID),
	})
	return err
}

// Page is one page of a key listing.
type Page struct {
	Keys   []kv.Key
	Cursor string // empty when the listing is complete
}

// ListPage returns one page of keys under prefix starting at cursor.
func (s *Store) ListPage(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.accountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(limit)),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	res, err := s.ns.Keys.List(ctx, s.namespaceID, params)
	if err != nil {
		return Page{}, fmt.Errorf("kv list %q: %w", prefix, err)
	}
	return Page{Keys: res.Result, Cursor: res.ResultInfo.Cursor}, nil
}

// Entry is one pair of a bulk write.
type Entry struct {
	Key   string
	Value []byte
	TTL   time.Duration
}

// BulkPut writes entries in one request. The caller keeps batches within
// the API's limit.
func (s *Store) BulkPut(ctx context.Context, entries []Entry) error {
	body := make([]kv.NamespaceKeyBulkUpdateParamsBody, 0, len(entries))
	for _, e := range entries {
		b := kv.NamespaceKeyBulkUpdateParamsBody{
			Key:   cloudflare.F(e.Key),
			Value: cloudflare.F(string(e.Value)),
		}
		if e.TTL > 0 {
			b.ExpirationTTL = cloudflare.F(e.TTL.Seconds())
		}
		body = append(body, b)
	}
	res, err := s.ns.Keys.BulkUpdate(ctx, s.namespaceID, kv.NamespaceKeyBulkUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Body:      body,
	})
	if err != nil {
		return err
	}
	if n := len(res.UnsuccessfulKeys); n > 0 {
		return fmt.Errorf("kv bulk put: %d keys not written (first %q)", n, res.UnsuccessfulKeys[0])
	}
	return nil
}

// BulkDelete removes keys in one request.
func (s *Store) BulkDelete(ctx context.Context, keys []string) error {
	_, err := s.ns.Keys.BulkDelete(ctx, s.namespaceID, kv.NamespaceKeyBulkDeleteParams{
		AccountID: cloudflare.F(s.accountID),
		Body:      keys,
	})
	return err
}
