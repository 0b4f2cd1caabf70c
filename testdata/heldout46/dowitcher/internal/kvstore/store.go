// Package kvstore adapts one Workers KV namespace, reached through the
// Cloudflare REST API, to the small set of operations the fleet backend uses.
package kvstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"
)

// MinTTL is the shortest expiration the KV API accepts.
const MinTTL = 60 * time.Second

// Store is one KV namespace in one account.
type Store struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	ns  string
}

// New returns a Store for namespaceID in accountID.
func New(api *cloudflare.API, accountID, namespaceID string) *Store {
	return &Store{api: api, rc: cloudflare.AccountIdentifier(accountID), ns: namespaceID}
}

// Namespace returns the namespace ID the store writes to.
func (s *Store) Namespace() string { return s.ns }

// API exposes the underlying client for callers that need bulk endpoints.
func (s *Store) API() (*cloudflare.API, *cloudflare.ResourceContainer) { return s.api, s.rc }

// Get returns the value stored under key. A missing key is an error; use
// IsNotFound or Lookup to tell it apart.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	v, err := s.api.GetWorkersKV(ctx, s.rc, cloudflare.GetWorkersKVParams{NamespaceID: s.ns, Key: key})
	if err != nil {
		return nil, fmt.Errorf("kv get %s: %w", key, err)
	}
	return v, nil
}

// Lookup is Get with a found flag instead of a not-found error.
func (s *Store) Lookup(ctx context.Context, key string) (val []byte, found bool, err error) {
	val, err = s.Get(ctx, key)
	switch {
	case err == nil:
		return val, true, nil
	case IsNotFound(err):
		return nil, false, nil
	default:
		return nil, false, err
	}
}

// Put stores val under key with no expiration.
func (s *Store) Put(ctx context.Context, key string, val []byte) error {
	_, err := s.api.WriteWorkersKVEntry(ctx, s.rc, cloudflare.WriteWorkersKVEntryParams{
		NamespaceID: s.ns,
		Key:         key,
		Value:       val,
	})
	if err != nil {
		return fmt.Errorf("kv put %s: %w", key, err)
	}
	return nil
}

// PutTTL stores val under key and lets KV expire it after ttl.
func (s *Store) PutTTL(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	_, err := s.api.WriteWorkersKVEntries(ctx, s.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: s.ns,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:           key,
			Value:         string(val),
			ExpirationTTL: int(ttl.Seconds()),
		}},
	})
	if err != nil {
		return fmt.Errorf("kv put %s: %w", key, err)
	}
	return nil
}

// PutLease stores a short-lived value. Leases shorter than the KV minimum
// are stretched to it; holders renew well before expiry anyway.
func (s *Store) PutLease(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	if ttl < MinTTL {
		ttl = MinTTL
	}
	return s.PutTTL(ctx, key, val, ttl)
}

// PutUntil stores val under key and expires it at the given instant.
func (s *Store) PutUntil(ctx context.Context, key string, val []byte, at time.Time) error {
	_, err := s.api.WriteWorkersKVEntries(ctx, s.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: s.ns,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:        key,
			Value:      string(val),
			Expiration: int(at.Unix()),
		}},
	})
	if err != nil {
		return fmt.Errorf("kv put %s: %w", key, err)
	}
	return nil
}

// Delete removes key. Deleting a missing key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.api.DeleteWorkersKVEntry(ctx, s.rc, cloudflare.DeleteWorkersKVEntryParams{NamespaceID: s.ns, Key: key})
	if err != nil && !IsNotFound(err) {
		return fmt.Errorf("kv delete %s: %w", key, err)
	}
	return nil
}

// DeleteMany removes keys in one bulk call.
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
	Cursor string
}

// ListPage returns one page of keys under prefix starting at cursor. An
// empty Cursor in the result means the listing is complete.
func (s *Store) ListPage(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	resp, err := s.api.ListWorkersKVKeys(ctx, s.rc, cloudflare.ListWorkersKVsParams{
		NamespaceID: s.ns,
		Prefix:      prefix,
		Cursor:      cursor,
		Limit:       limit,
	})
	if err != nil {
		return Page{}, fmt.Errorf("kv list %s: %w", prefix, err)
	}
	return Page{Keys: resp.Result, Cursor: resp.Cursor}, nil
}

// IsNotFound reports whether err is the API's 404 for a missing key.
func IsNotFound(err error) bool {
	var nf *cloudflare.NotFoundError
	return errors.As(err, &nf)
}

// IsRateLimited reports whether err is a 429 from the API.
func IsRateLimited(err error) bool {
	var rl *cloudflare.RatelimitError
	return errors.As(err, &rl)
}
