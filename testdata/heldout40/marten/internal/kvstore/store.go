// Package kvstore adapts one Workers KV namespace, reached through the
// Cloudflare REST API (cloudflare-go v0), to the needs of the PMS backend.
package kvstore

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"
)

// Store reads and writes one namespace.
type Store struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	ns  string
}

// New binds a store to an account and a namespace.
func New(api *cloudflare.API, accountID, namespaceID string) *Store {
	return &Store{api: api, rc: cloudflare.AccountIdentifier(accountID), ns: namespaceID}
}

// Namespace returns the namespace ID the store is bound to.
func (s *Store) Namespace() string { return s.ns }

// API exposes the underlying client for the few callers that need the raw
// endpoints (bulk writes with per-pair options).
func (s *Store) API() (*cloudflare.API, *cloudflare.ResourceContainer) { return s.api, s.rc }

// Get returns the stored bytes. The API answers a missing key with HTTP 404,
// which arrives here as an error.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	return s.api.GetWorkersKV(ctx, s.rc, cloudflare.GetWorkersKVParams{NamespaceID: s.ns, Key: key})
}

// Lookup is Get with the 404 case reported as found == false.
func (s *Store) Lookup(ctx context.Context, key string) (val []byte, found bool, err error) {
	val, err = s.Get(ctx, key)
	var nf *cloudflare.NotFoundError
	switch {
	case errors.As(err, &nf):
		return nil, false, nil
	case err != nil:
		return nil, false, fmt.Errorf("kv get %q: %w", key, err)
	}
	return val, true, nil
}

// Put writes a value that never expires.
func (s *Store) Put(ctx context.Context, key string, val []byte) error {
	_, err := s.api.WriteWorkersKVEntry(ctx, s.rc, cloudflare.WriteWorkersKVEntryParams{
		NamespaceID: s.ns,
		Key:         key,
		Value:       val,
	})
	if err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// PutTTL writes a value that expires ttl from now. The single-value endpoint
// of this SDK version takes no expiry, so the write goes through the bulk
// endpoint with one base64 pair.
func (s *Store) PutTTL(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	pair := &cloudflare.WorkersKVPair{
		Key:           key,
		Value:         base64.StdEncoding.EncodeToString(val),
		Base64:        true,
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

// PutFloor is PutTTL for lifetimes that come from callers or configuration:
// anything shorter than a minute is raised to a minute.
func (s *Store) PutFloor(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return s.PutTTL(ctx, key, val, ttl)
}

// Delete removes one key.
func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.api.DeleteWorkersKVEntry(ctx, s.rc, cloudflare.DeleteWorkersKVEntryParams{NamespaceID: s.ns, Key: key})
	if err != nil {
		return fmt.Errorf("kv delete %q: %w", key, err)
	}
	return nil
}

// Page returns one page of keys under prefix, and the cursor of the next page
// ("" when there is none).
func (s *Store) Page(ctx context.Context, prefix, cursor string, limit int) ([]cloudflare.StorageKey, string, error) {
	resp, err := s.api.ListWorkersKVKeys(ctx, s.rc, cloudflare.ListWorkersKVsParams{
		NamespaceID: s.ns,
		Prefix:      prefix,
		Cursor:      cursor,
		Limit:       limit,
	})
	if err != nil {
		return nil, "", err
	}
	return resp.Result, resp.Cursor, nil
}

// Update reads key, hands the current bytes (nil when missing) to fn and
// writes back what fn returns. Used for small documents edited in place.
func (s *Store) Update(ctx context.Context, key string, fn func(cur []byte) ([]byte, error)) error {
	cur, _, err := s.Lookup(ctx, key)
	if err != nil {
		return err
	}
	next, err := fn(cur)
	if err != nil {
		return err
	}
	return s.Put(ctx, key, next) // EXPECT kvrace
}
