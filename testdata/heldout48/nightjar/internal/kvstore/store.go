// Package kvstore is the invoicing API's adapter over the Cloudflare REST API
// for Workers KV (cloudflare-go v0).
package kvstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cloudflare/cloudflare-go"
)

// ErrNotFound is returned by Get when the key does not exist.
var ErrNotFound = errors.New("kvstore: key not found")

// Store reads and writes one KV namespace.
type Store struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	ns  string
}

// New returns a Store for the namespace.
func New(api *cloudflare.API, accountID, namespaceID string) *Store {
	return &Store{api: api, rc: cloudflare.AccountIdentifier(accountID), ns: namespaceID}
}

// API exposes the underlying client for the few callers that need raw access.
func (s *Store) API() (*cloudflare.API, *cloudflare.ResourceContainer, string) {
	return s.api, s.rc, s.ns
}

// Get returns the value stored under key, or ErrNotFound.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	raw, err := s.api.GetWorkersKV(ctx, s.rc, cloudflare.GetWorkersKVParams{NamespaceID: s.ns, Key: key})
	if err != nil {
		var nf *cloudflare.NotFoundError
		if errors.As(err, &nf) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("kv get %q: %w", key, err)
	}
	return raw, nil
}

// Put writes value under key. A zero ttl stores the value without expiry.
// The single-value endpoint takes no expiration, so writes with a TTL go
// through the bulk endpoint with one pair.
func (s *Store) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl == 0 {
		_, err := s.api.WriteWorkersKVEntry(ctx, s.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: s.ns, Key: key, Value: value})
		return err
	}
	pair := &cloudflare.WorkersKVPair{Key: key, Value: string(value), ExpirationTTL: int(ttl.Seconds())}
	_, err := s.api.WriteWorkersKVEntries(ctx, s.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: s.ns,
		KVs:         []*cloudflare.WorkersKVPair{pair},
	})
	return err
}

// PutMany writes pairs with the bulk endpoint, 5,000 at a time.
func (s *Store) PutMany(ctx context.Context, pairs []*cloudflare.WorkersKVPair) error {
	const batch = 5000
	for start := 0; start < len(pairs); start += batch {
		end := min(start+batch, len(pairs))
		if _, err := s.api.WriteWorkersKVEntries(ctx, s.rc, cloudflare.WriteWorkersKVEntriesParams{
			NamespaceID: s.ns,
			KVs:         pairs[start:end],
		}); err != nil {
			return fmt.Errorf("kv bulk write [%d:%d]: %w", start, end, err)
		}
	}
	return nil
}

// Delete removes key. Deleting a missing key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.api.DeleteWorkersKVEntry(ctx, s.rc, cloudflare.DeleteWorkersKVEntryParams{NamespaceID: s.ns, Key: key})
	return err
}

// DeleteMany removes keys with the bulk endpoint.
func (s *Store) DeleteMany(ctx context.Context, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	_, err := s.api.DeleteWorkersKVEntries(ctx, s.rc, cloudflare.DeleteWorkersKVEntriesParams{NamespaceID: s.ns, Keys: keys})
	return err
}

// Page is one page of a key listing.
type Page struct {
	Keys   []cloudflare.StorageKey
	Cursor string // empty when the listing is complete
}

// ListPage returns one page of keys under prefix, starting at cursor.
func (s *Store) ListPage(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	resp, err := s.api.ListWorkersKVKeys(ctx, s.rc, cloudflare.ListWorkersKVsParams{
		NamespaceID: s.ns,
		Prefix:      prefix,
		Cursor:      cursor,
		Limit:       limit,
	})
	if err != nil {
		return Page{}, err
	}
	return Page{Keys: resp.Result, Cursor: resp.Cursor}, nil
}
