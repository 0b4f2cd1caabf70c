// Package kvstore is the team's thin adapter over the Cloudflare REST client
// for Workers KV. It hides the resource container and namespace plumbing and
// maps a 404 from the API onto ErrNotFound.
package kvstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"
)

// ErrNotFound is returned by Get when the key does not exist.
var ErrNotFound = errors.New("kvstore: key not found")

// Store is one KV namespace in one account.
type Store struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	ns  string
}

// New binds a namespace.
func New(api *cloudflare.API, accountID, namespaceID string) *Store {
	return &Store{api: api, rc: cloudflare.AccountIdentifier(accountID), ns: namespaceID}
}

// API exposes the underlying client for callers that need the raw SDK.
func (s *Store) API() *cloudflare.API { return s.api }

// Account returns the resource container of the namespace's account.
func (s *Store) Account() *cloudflare.ResourceContainer { return s.rc }

// Namespace returns the namespace ID.
func (s *Store) Namespace() string { return s.ns }

// Get reads one value. A missing key yields ErrNotFound.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	v, err := s.api.GetWorkersKV(ctx, s.rc, cloudflare.GetWorkersKVParams{NamespaceID: s.ns, Key: key})
	if err != nil {
		var nf *cloudflare.NotFoundError
		if errors.As(err, &nf) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("kv get %q: %w", key, err)
	}
	return v, nil
}

// Put writes a value with no expiration.
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

// PutTTL writes a value that expires ttl from now. The single-key endpoint of
// the client has no expiration field, so this goes through the bulk endpoint
// with one pair.
func (s *Store) PutTTL(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	pair := &cloudflare.WorkersKVPair{
		Key:           key,
		Value:         string(value),
		ExpirationTTL: int(ttl.Seconds()),
	}
	_, err := s.api.WriteWorkersKVEntries(ctx, s.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: s.ns,
		KVs:         []*cloudflare.WorkersKVPair{pair},
	})
	if err != nil {
		return fmt.Errorf("kv put %q (ttl %s): %w", key, ttl, err)
	}
	return nil
}

// PutAtLeast is PutTTL for TTLs computed at run time: it never sends less
// than the one minute KV accepts.
func (s *Store) PutAtLeast(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return s.PutTTL(ctx, key, value, ttl)
}

// PutUntil writes a value that expires at an absolute time.
func (s *Store) PutUntil(ctx context.Context, key string, value []byte, at time.Time) error {
	pair := &cloudflare.WorkersKVPair{Key: key, Value: string(value), Expiration: int(at.Unix())}
	_, err := s.api.WriteWorkersKVEntries(ctx, s.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: s.ns,
		KVs:         []*cloudflare.WorkersKVPair{pair},
	})
	return err
}

// PutBatch writes up to 10,000 pairs in one request.
func (s *Store) PutBatch(ctx context.Context, pairs []*cloudflare.WorkersKVPair) error {
	if len(pairs) == 0 {
		return nil
	}
	_, err := s.api.WriteWorkersKVEntries(ctx, s.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: s.ns, KVs: pairs})
	return err
}

// Delete removes one key.
func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.api.DeleteWorkersKVEntry(ctx, s.rc, cloudflare.DeleteWorkersKVEntryParams{NamespaceID: s.ns, Key: key})
	if err != nil {
		var nf *cloudflare.NotFoundError
		if errors.As(err, &nf) {
			return nil
		}
		return fmt.Errorf("kv delete %q: %w", key, err)
	}
	return nil
}

// DeleteBatch removes many keys in one request.
func (s *Store) DeleteBatch(ctx context.Context, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	_, err := s.api.DeleteWorkersKVEntries(ctx, s.rc, cloudflare.DeleteWorkersKVEntriesParams{NamespaceID: s.ns, Keys: keys})
	return err
}

// ListPage returns one page of keys under prefix and the cursor of the next
// page ("" when the listing is complete).
func (s *Store) ListPage(ctx context.Context, prefix, cursor string, limit int) ([]cloudflare.StorageKey, string, error) {
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
