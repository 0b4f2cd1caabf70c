// Package kvstore adapts the Cloudflare REST client (cloudflare-go v0) to the
// small set of Workers KV operations the appointments backend needs.
package kvstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go"
)

// ErrNotFound is returned when a key does not exist in the namespace.
var ErrNotFound = errors.New("kvstore: key not found")

// Pair is the SDK's bulk write element.
type Pair = cloudflare.WorkersKVPair

// KeyInfo is one entry of a list page.
type KeyInfo = cloudflare.StorageKey

// Batch is a set of pairs sent in one bulk request.
type Batch []*Pair

// Store is one Workers KV namespace reached through the REST API.
type Store struct {
	api         *cloudflare.API
	rc          *cloudflare.ResourceContainer
	namespaceID string
	timeout     time.Duration
}

// New returns a Store for namespaceID in the given account.
func New(api *cloudflare.API, accountID, namespaceID string) *Store {
	return &Store{
		api:         api,
		rc:          cloudflare.AccountIdentifier(accountID),
		namespaceID: namespaceID,
		timeout:     5 * time.Second,
	}
}

// WithNamespace returns a copy of s bound to another namespace.
func (s *Store) WithNamespace(namespaceID string) *Store {
	c := *s
	c.namespaceID = namespaceID
	return &c
}

// Namespace reports the namespace ID the store writes to.
func (s *Store) Namespace() string { return s.namespaceID }

// API exposes the underlying client for callers that need raw SDK access.
func (s *Store) API() (*cloudflare.API, *cloudflare.ResourceContainer) { return s.api, s.rc }

func isNotFound(err error) bool {
	var nf cloudflare.NotFoundError
	if errors.As(err, &nf) {
		return true
	}
	var ce *cloudflare.Error
	return errors.As(err, &ce) && ce.StatusCode == http.StatusNotFound
}

// IsNotFound reports whether err is the SDK's 404 for a missing key.
func IsNotFound(err error) bool { return isNotFound(err) }

// Get returns the raw value stored at key, or ErrNotFound.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	raw, err := s.api.GetWorkersKV(ctx, s.rc, cloudflare.GetWorkersKVParams{
		NamespaceID: s.namespaceID,
		Key:         key,
	})
	if err != nil {
		if isNotFound(err) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("kv get %q: %w", key, err)
	}
	return raw, nil
}

// Load decodes the JSON value stored at key into out.
func (s *Store) Load(ctx context.Context, key string, out any) error {
	raw, err := s.Get(ctx, key)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("kv decode %q: %w", key, err)
	}
	return nil
}

// Put writes value at key. A zero ttl stores the value without expiry.
func (s *Store) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	if ttl <= 0 {
		_, err := s.api.WriteWorkersKVEntry(ctx, s.rc, cloudflare.WriteWorkersKVEntryParams{
			NamespaceID: s.namespaceID,
			Key:         key,
			Value:       value,
		})
		return err
	}
	pair := &Pair{Key: key, Value: string(value)}
	pair.ExpirationTTL = int(ttl.Seconds())
	_, err := s.api.WriteWorkersKVEntries(ctx, s.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: s.namespaceID,
		KVs:         []*Pair{pair},
	})
	return err
}

// PutJSON encodes v and writes it at key.
func (s *Store) PutJSON(ctx context.Context, key string, v any, ttl time.Duration) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.Put(ctx, key, raw, ttl)
}

// PutCached writes a cache entry. Cache lifetimes shorter than the KV floor
// are raised to one minute.
func (s *Store) PutCached(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return s.Put(ctx, key, value, ttl)
}

// PutUntil writes value with an absolute expiration in Unix seconds.
func (s *Store) PutUntil(ctx context.Context, key string, value []byte, expiresAt int64) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	_, err := s.api.WriteWorkersKVEntries(ctx, s.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: s.namespaceID,
		KVs:         []*Pair{{Key: key, Value: string(value), Expiration: int(expiresAt)}},
	})
	return err
}

// WriteBatch sends pairs in a single bulk request.
func (s *Store) WriteBatch(ctx context.Context, pairs Batch) error {
	if len(pairs) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 4*s.timeout)
	defer cancel()
	_, err := s.api.WriteWorkersKVEntries(ctx, s.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: s.namespaceID,
		KVs:         pairs,
	})
	return err
}

// Delete removes key.
func (s *Store) Delete(ctx context.Context, key string) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	_, err := s.api.DeleteWorkersKVEntry(ctx, s.rc, cloudflare.DeleteWorkersKVEntryParams{
		NamespaceID: s.namespaceID,
		Key:         key,
	})
	if err != nil && isNotFound(err) {
		return nil
	}
	return err
}

// DeleteMany removes keys in one bulk request.
func (s *Store) DeleteMany(ctx context.Context, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 4*s.timeout)
	defer cancel()
	_, err := s.api.DeleteWorkersKVEntries(ctx, s.rc, cloudflare.DeleteWorkersKVEntriesParams{
		NamespaceID: s.namespaceID,
		Keys:        keys,
	})
	return err
}

// ListPage returns one page of keys under prefix and the cursor for the next
// page ("" when there is none).
func (s *Store) ListPage(ctx context.Context, prefix, cursor string, limit int) ([]KeyInfo, string, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	resp, err := s.api.ListWorkersKVKeys(ctx, s.rc, cloudflare.ListWorkersKVsParams{
		NamespaceID: s.namespaceID,
		Prefix:      prefix,
		Cursor:      cursor,
		Limit:       limit,
	})
	if err != nil {
		return nil, "", err
	}
	return resp.Result, resp.Cursor, nil
}
