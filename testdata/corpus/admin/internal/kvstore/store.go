// Package kvstore is a small repository over the Cloudflare REST API
// (cloudflare-go v0) bound to one Workers KV namespace.
package kvstore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"example.com/admin/internal/config"
)

// ErrNotFound is returned by Get when the key does not exist.
var ErrNotFound = errors.New("kvstore: key not found")

// Store reads and writes one namespace of one account.
type Store struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	ns  string
}

// New binds a store to a namespace.
func New(api *cloudflare.API, accountID, namespaceID string) *Store {
	return &Store{
		api: api,
		rc:  cloudflare.AccountIdentifier(accountID),
		ns:  namespaceID,
	}
}

// Namespace returns the namespace ID the store is bound to.
func (s *Store) Namespace() string { return s.ns }

// Get returns the raw value stored under key, or ErrNotFound.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	v, err := s.api.GetWorkersKV(ctx, s.rc, cloudflare.GetWorkersKVParams{
		NamespaceID: s.ns,
		Key:         key,
	})
	if err != nil {
		var nf *cloudflare.NotFoundError
		if errors.As(err, &nf) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("kv get %q: %w", key, err)
	}
	return v, nil
}

// GetString is Get for text values; ok is false when the key is missing.
func (s *Store) GetString(ctx context.Context, key string) (value string, ok bool, err error) {
	b, err := s.Get(ctx, key)
	if errors.Is(err, ErrNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return string(b), true, nil
}

// Put stores value under key with no expiration.
func (s *Store) Put(ctx context.Context, key string, value []byte) error {
	_, err := s.api.WriteWorkersKVEntry(ctx, s.rc, cloudflare.WriteWorkersKVEntryParams{
		NamespaceID: s.ns,
		Key:         key,
		Value:       value,
	})
	if err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// write sends a single pair through the bulk endpoint, which is the only
// REST route of cloudflare-go v0 that accepts an expiration.
func (s *Store) write(ctx context.Context, pair *cloudflare.WorkersKVPair) error {
	_, err := s.api.WriteWorkersKVEntries(ctx, s.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: s.ns,
		KVs:         []*cloudflare.WorkersKVPair{pair},
	})
	if err != nil {
		return fmt.Errorf("kv put %q: %w", pair.Key, err)
	}
	return nil
}

// PutTTL stores value under key for ttl.
func (s *Store) PutTTL(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return s.write(ctx, &cloudflare.WorkersKVPair{
		Key:           key,
		Value:         string(value),
		ExpirationTTL: int(ttl.Seconds()),
	})
}

// PutExpiring stores value under key for the given number of seconds.
func (s *Store) PutExpiring(ctx context.Context, key string, value []byte, seconds int) error {
	pair := &cloudflare.WorkersKVPair{Key: key, Value: string(value)}
	pair.ExpirationTTL = seconds
	return s.write(ctx, pair)
}

// PutUntil stores value under key until the instant at.
func (s *Store) PutUntil(ctx context.Context, key string, value []byte, at time.Time) error {
	return s.write(ctx, &cloudflare.WorkersKVPair{
		Key:        key,
		Value:      string(value),
		Expiration: int(at.Unix()),
	})
}

// PutCached stores a cache entry. Entries shorter than KV's minimum
// lifetime are stretched to it.
func (s *Store) PutCached(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return s.PutTTL(ctx, key, value, ttl)
}

// Delete removes key. Deleting a missing key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.api.DeleteWorkersKVEntry(ctx, s.rc, cloudflare.DeleteWorkersKVEntryParams{
		NamespaceID: s.ns,
		Key:         key,
	})
	if err != nil {
		return fmt.Errorf("kv delete %q: %w", key, err)
	}
	return nil
}

// WriteAll writes pairs in bulk requests of at most config.BulkChunkSize
// pairs and returns how many were sent.
func (s *Store) WriteAll(ctx context.Context, pairs []*cloudflare.WorkersKVPair) (int, error) {
	sent := 0
	for chunk := range slices.Chunk(pairs, config.BulkChunkSize) {
		if _, err := s.api.WriteWorkersKVEntries(ctx, s.rc, cloudflare.WriteWorkersKVEntriesParams{
			NamespaceID: s.ns,
			KVs:         chunk,
		}); err != nil {
			return sent, fmt.Errorf("kv bulk write after %d pairs: %w", sent, err)
		}
		sent += len(chunk)
	}
	return sent, nil
}

// DeleteAll removes keys in bulk requests.
func (s *Store) DeleteAll(ctx context.Context, keys []string) error {
	for chunk := range slices.Chunk(keys, config.BulkChunkSize) {
		if _, err := s.api.DeleteWorkersKVEntries(ctx, s.rc, cloudflare.DeleteWorkersKVEntriesParams{
			NamespaceID: s.ns,
			Keys:        chunk,
		}); err != nil {
			return fmt.Errorf("kv bulk delete: %w", err)
		}
	}
	return nil
}

// Page returns one page of keys under prefix and the cursor of the next
// page ("" when there is none).
func (s *Store) Page(ctx context.Context, prefix, cursor string, limit int) ([]cloudflare.StorageKey, string, error) {
	resp, err := s.api.ListWorkersKVKeys(ctx, s.rc, cloudflare.ListWorkersKVsParams{
		NamespaceID: s.ns,
		Prefix:      prefix,
		Cursor:      cursor,
		Limit:       limit,
	})
	if err != nil {
		return nil, "", fmt.Errorf("kv list %q: %w", prefix, err)
	}
	return resp.Result, resp.Cursor, nil
}
