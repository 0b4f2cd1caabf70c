// Package kvstore is the dispatch backend's layer over the Workers KV REST
// API. It keeps the cloudflare-go v0 calls in one place so that the domain
// packages deal in keys, bytes and lifetimes.
package kvstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cloudflare/cloudflare-go"
)

// ErrNotFound is returned by Get when the key does not exist (HTTP 404).
var ErrNotFound = errors.New("kvstore: key not found")

// maxBulkPairs is the REST bulk endpoint's limit per request.
const maxBulkPairs = 10_000

// Store is one KV namespace reached through the Cloudflare API.
type Store struct {
	api  *cloudflare.API
	rc   *cloudflare.ResourceContainer
	ns   string
	name string
}

// Open builds a Store for namespaceID in the given account.
func Open(token, accountID, namespaceID, name string) (*Store, error) {
	api, err := cloudflare.NewWithAPIToken(token)
	if err != nil {
		return nil, fmt.Errorf("kvstore %s: %w", name, err)
	}
	return &Store{api: api, rc: cloudflare.AccountIdentifier(accountID), ns: namespaceID, name: name}, nil
}

// Client exposes the underlying SDK handle for code that needs calls the
// Store does not wrap.
func (s *Store) Client() (*cloudflare.API, *cloudflare.ResourceContainer, string) {
	return s.api, s.rc, s.ns
}

// Name is the human name of the namespace, used in logs.
func (s *Store) Name() string { return s.name }

// Get returns the stored bytes, or ErrNotFound.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	raw, err := s.api.GetWorkersKV(ctx, s.rc, cloudflare.GetWorkersKVParams{NamespaceID: s.ns, Key: key})
	if err != nil {
		var nf cloudflare.NotFoundError
		if errors.As(err, &nf) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("kv get %s/%q: %w", s.name, key, err)
	}
	return raw, nil
}

// Lookup is Get with the miss folded into a boolean.
func (s *Store) Lookup(ctx context.Context, key string) ([]byte, bool, error) {
	raw, err := s.Get(ctx, key)
	switch {
	case errors.Is(err, ErrNotFound):
		return nil, false, nil
	case err != nil:
		return nil, false, err
	}
	return raw, true, nil
}

// Put writes value with a relative lifetime. A zero ttl keeps the value
// until it is deleted.
func (s *Store) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl == 0 {
		return s.PutForever(ctx, key, value)
	}
	pair := &cloudflare.WorkersKVPair{Key: key, Value: string(value), ExpirationTTL: int(ttl.Seconds())}
	return s.WriteBatch(ctx, []*cloudflare.WorkersKVPair{pair})
}

// PutCache writes a derived, re-computable value. Lifetimes below the KV
// minimum are raised to one minute.
func (s *Store) PutCache(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return s.Put(ctx, key, value, ttl)
}

// PutUntil writes value so that it expires at the given instant.
func (s *Store) PutUntil(ctx context.Context, key string, value []byte, at time.Time) error {
	pair := &cloudflare.WorkersKVPair{Key: key, Value: string(value), Expiration: int(at.Unix())}
	return s.WriteBatch(ctx, []*cloudflare.WorkersKVPair{pair})
}

// PutForever writes value with no expiry.
func (s *Store) PutForever(ctx context.Context, key string, value []byte) error {
	_, err := s.api.WriteWorkersKVEntry(ctx, s.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: s.ns, Key: key, Value: value})
	if err != nil {
		return fmt.Errorf("kv put %s/%q: %w", s.name, key, err)
	}
	return nil
}

// Delete removes key. Deleting a missing key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.api.DeleteWorkersKVEntry(ctx, s.rc, cloudflare.DeleteWorkersKVEntryParams{NamespaceID: s.ns, Key: key})
	if err != nil {
		return fmt.Errorf("kv delete %s/%q: %w", s.name, key, err)
	}
	return nil
}

// WriteBatch sends pairs through the bulk endpoint, splitting them into
// requests the API accepts.
func (s *Store) WriteBatch(ctx context.Context, pairs []*cloudflare.WorkersKVPair) error {
	for start := 0; start < len(pairs); start += maxBulkPairs {
		end := min(start+maxBulkPairs, len(pairs))
		_, err := s.api.WriteWorkersKVEntries(ctx, s.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: s.ns, KVs: pairs[start:end]})
		if err != nil {
			return fmt.Errorf("kv bulk write %s (%d pairs): %w", s.name, end-start, err)
		}
	}
	return nil
}

// Amend rewrites key with whatever fn makes of its current value (nil when
// the key is missing). Returning nil from fn leaves the key untouched.
func (s *Store) Amend(ctx context.Context, key string, ttl time.Duration, fn func(old []byte) ([]byte, error)) error {
	old, _, err := s.Lookup(ctx, key)
	if err != nil {
		return err
	}
	next, err := fn(old)
	if err != nil || next == nil {
		return err
	}
	return s.Put(ctx, key, next, ttl) // EXPECT kvrace
}

// Page is one page of a key listing.
type Page struct {
	Keys   []cloudflare.StorageKey
	Cursor string // empty when the listing is complete
}

// Page lists up to limit keys under prefix, starting at cursor.
func (s *Store) Page(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	resp, err := s.api.ListWorkersKVKeys(ctx, s.rc, cloudflare.ListWorkersKVsParams{
		NamespaceID: s.ns,
		Prefix:      prefix,
		Cursor:      cursor,
		Limit:       limit,
	})
	if err != nil {
		return Page{}, fmt.Errorf("kv list %s/%q: %w", s.name, prefix, err)
	}
	return Page{Keys: resp.Result, Cursor: resp.Cursor}, nil
}
