// Package cfkv is the back office's access to Workers KV through the Cloudflare
// REST API.
package cfkv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
)

// ErrNotFound reports a key the namespace does not hold.
var ErrNotFound = errors.New("cfkv: not found")

// ErrStop may be returned by an Each callback to end the iteration.
var ErrStop = errors.New("cfkv: stop")

// MaxBulk is the most pairs the bulk endpoints take in one request.
const MaxBulk = 10_000

// Store is one KV namespace of one account.
type Store struct {
	Client    *cloudflare.Client
	AccountID string
	Namespace string
}

// New returns a Store.
func New(client *cloudflare.Client, accountID, namespaceID string) *Store {
	return &Store{Client: client, AccountID: accountID, Namespace: namespaceID}
}

func (s *Store) values() *kv.NamespaceValueService { return s.Client.KV.Namespaces.Values }

// Get returns the value under key, or ErrNotFound.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := s.values().Get(ctx, s.Namespace, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.AccountID)})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("cfkv: get %s: %w", key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// Put writes value under key. A zero ttl writes it without expiry; the API
// rejects lifetimes under a minute, so shorter ones are raised to a minute.
func (s *Store) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.AccountID),
		Value:     cloudflare.F(string(value)),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(max(ttl, time.Minute).Seconds())
	}
	if _, err := s.values().Update(ctx, s.Namespace, key, params); err != nil {
		return fmt.Errorf("cfkv: put %s: %w", key, err)
	}
	return nil
}

// Delete removes key.
func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.values().Delete(ctx, s.Namespace, key, kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(s.AccountID)})
	if err != nil {
		return fmt.Errorf("cfkv: delete %s: %w", key, err)
	}
	return nil
}

// Meta is a listed key's expiry and metadata.
type Meta struct {
	Expires  time.Time
	Metadata any
}

// Each calls fn for the keys under prefix, at most maxKeys of them.
func (s *Store) Each(ctx context.Context, prefix string, maxKeys int, fn func(key string, meta Meta) error) error {
	iter := s.Client.KV.Namespaces.Keys.ListAutoPaging(ctx, s.Namespace, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.AccountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(1000.0),
	})
	seen := 0
	for seen < maxKeys && iter.Next() {
		k := iter.Current()
		seen++
		m := Meta{Metadata: k.Metadata}
		if k.Expiration > 0 {
			m.Expires = time.Unix(int64(k.Expiration), 0)
		}
		if err := fn(k.Name, m); err != nil {
			if errors.Is(err, ErrStop) {
				return nil
			}
			return err
		}
	}
	return iter.Err()
}

// Page returns one page of keys under prefix and the cursor for the next, which
// is empty on the last page.
func (s *Store) Page(ctx context.Context, prefix, cursor string, limit int) ([]kv.Key, string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.AccountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(min(max(limit, 10), 1000))),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := s.Client.KV.Namespaces.Keys.List(ctx, s.Namespace, params)
	if err != nil {
		return nil, "", err
	}
	return page.Result, page.ResultInfo.Cursor, nil
}

// BulkPut writes pairs in requests of at most MaxBulk and returns the keys the
// API reported as not written.
func (s *Store) BulkPut(ctx context.Context, pairs []kv.NamespaceBulkUpdateParamsBody) ([]string, error) {
	var failed []string
	for start := 0; start < len(pairs); start += MaxBulk {
		end := min(start+MaxBulk, len(pairs))
		res, err := s.Client.KV.Namespaces.BulkUpdate(ctx, s.Namespace, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(s.AccountID),
			Body:      pairs[start:end],
		})
		if err != nil {
			return failed, fmt.Errorf("cfkv: bulk put %d..%d: %w", start, end, err)
		}
		failed = append(failed, res.UnsuccessfulKeys...)
	}
	return failed, nil
}

// BulkDelete deletes keys in requests of at most MaxBulk.
func (s *Store) BulkDelete(ctx context.Context, keys []string) error {
	for start := 0; start < len(keys); start += MaxBulk {
		end := min(start+MaxBulk, len(keys))
		_, err := s.Client.KV.Namespaces.BulkDelete(ctx, s.Namespace, kv.NamespaceBulkDeleteParams{
			AccountID: cloudflare.F(s.AccountID),
			Body:      keys[start:end],
		})
		if err != nil {
			return fmt.Errorf("cfkv: bulk delete %d..%d: %w", start, end, err)
		}
	}
	return nil
}
