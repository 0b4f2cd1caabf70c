// Package kvstore is the admin backend's thin adapter over the Workers KV REST
// API (cloudflare-go v4). It hides the account and namespace IDs, maps a 404 to
// ErrNotFound and converts Go durations to the seconds the API expects.
package kvstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
	"github.com/cloudflare/cloudflare-go/v4/option"
	"github.com/cloudflare/cloudflare-go/v4/packages/pagination"
)

// ErrNotFound is returned by Get and GetRaw when the key does not exist.
var ErrNotFound = errors.New("kvstore: key not found")

// MaxBulk is the largest number of pairs the bulk endpoints accept in one call.
const MaxBulk = 10_000

// Store is bound to one namespace of one account.
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

// New returns a Store for the namespace nsID.
func New(token, accountID, nsID string) *Store {
	return &Store{
		api:       cloudflare.NewClient(option.WithAPIToken(token)),
		accountID: accountID,
		nsID:      nsID,
	}
}

// In returns a Store sharing the client but bound to another namespace.
func (s *Store) In(nsID string) *Store {
	return &Store{api: s.api, accountID: s.accountID, nsID: nsID}
}

// NamespaceID reports the namespace the store is bound to.
func (s *Store) NamespaceID() string { return s.nsID }

func isNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// GetRaw returns the bytes stored under key.
func (s *Store) GetRaw(ctx context.Context, key string) ([]byte, error) {
	res, err := s.api.KV.Namespaces.Values.Get(ctx, s.nsID, key, kv.NamespaceValueGetParams{
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

// Get returns the value stored under key as a string.
func (s *Store) Get(ctx context.Context, key string) (string, error) {
	b, err := s.GetRaw(ctx, key)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// Put writes value under key. A zero ttl stores the value without expiry.
func (s *Store) Put(ctx context.Context, key, value string, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Value:     cloudflare.F(value),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(float64(int(ttl.Seconds())))
	}
	_, err := s.api.KV.Namespaces.Values.Update(ctx, s.nsID, key, params)
	if err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// PutCached writes a cache entry. Cache lifetimes shorter than the KV minimum
// are raised to one minute.
func (s *Store) PutCached(ctx context.Context, key, value string, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return s.Put(ctx, key, value, ttl)
}

// PutUntil writes value under key and lets it expire at the given instant.
func (s *Store) PutUntil(ctx context.Context, key, value string, at time.Time) error {
	_, err := s.api.KV.Namespaces.Values.Update(ctx, s.nsID, key, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(s.accountID),
		Value:      cloudflare.F(value),
		Expiration: cloudflare.F(float64(at.Unix())),
	})
	if err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// PutWithMeta writes value and its metadata.
func (s *Store) PutWithMeta(ctx context.Context, key, value string, meta any, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Value:     cloudflare.F(value),
		Metadata:  cloudflare.F(meta),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	_, err := s.api.KV.Namespaces.Values.Update(ctx, s.nsID, key, params)
	return err
}

// Metadata returns the metadata stored next to key.
func (s *Store) Metadata(ctx context.Context, key string) (any, error) {
	md, err := s.api.KV.Namespaces.Metadata.Get(ctx, s.nsID, key, kv.NamespaceMetadataGetParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if err != nil {
		if isNotFound(err) {
			return nil, ErrNotFound
		}
		return nil, err
	}
	return *md, nil
}

// Delete removes key.
func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.api.KV.Namespaces.Values.Delete(ctx, s.nsID, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if err != nil && !isNotFound(err) {
		return fmt.Errorf("kv delete %q: %w", key, err)
	}
	return nil
}

// Page lists one page of keys under prefix starting at cursor. The returned
// cursor is empty when there is nothing more to read.
func (s *Store) Page(ctx context.Context, prefix, cursor string, limit int) ([]kv.Key, string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.accountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(limit)),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := s.api.KV.Namespaces.Keys.List(ctx, s.nsID, params)
	if err != nil {
		return nil, "", err
	}
	return page.Result, page.ResultInfo.Cursor, nil
}

// Keys returns an iterator over every key under prefix. It fetches pages
// lazily as the caller advances it.
func (s *Store) Keys(ctx context.Context, prefix string) *pagination.CursorLimitPaginationAutoPager[kv.Key] {
	return s.api.KV.Namespaces.Keys.ListAutoPaging(ctx, s.nsID, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.accountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(1000.0),
	})
}

// BulkPut writes entries in calls of at most MaxBulk pairs.
func (s *Store) BulkPut(ctx context.Context, entries []Entry) error {
	for start := 0; start < len(entries); start += MaxBulk {
		end := min(start+MaxBulk, len(entries))
		if err := s.PutBatch(ctx, entries[start:end]); err != nil {
			return err
		}
	}
	return nil
}

// PutBatch sends entries in a single bulk request.
func (s *Store) PutBatch(ctx context.Context, entries []Entry) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(entries))
	for _, e := range entries {
		b := kv.NamespaceBulkUpdateParamsBody{
			Key:   cloudflare.F(e.Key),
			Value: cloudflare.F(e.Value),
		}
		if e.TTL > 0 {
			b.ExpirationTTL = cloudflare.F(max(e.TTL, time.Minute).Seconds())
		}
		if e.Metadata != nil {
			b.Metadata = cloudflare.F(e.Metadata)
		}
		body = append(body, b)
	}
	_, err := s.api.KV.Namespaces.BulkUpdate(ctx, s.nsID, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Body:      body,
	})
	return err
}

// BulkDelete removes keys in calls of at most MaxBulk keys.
func (s *Store) BulkDelete(ctx context.Context, keys []string) error {
	for start := 0; start < len(keys); start += MaxBulk {
		end := min(start+MaxBulk, len(keys))
		_, err := s.api.KV.Namespaces.BulkDelete(ctx, s.nsID, kv.NamespaceBulkDeleteParams{
			AccountID: cloudflare.F(s.accountID),
			Body:      keys[start:end],
		})
		if err != nil {
			return err
		}
	}
	return nil
}
