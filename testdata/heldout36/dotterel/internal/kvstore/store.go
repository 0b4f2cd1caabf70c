// Package kvstore adapts the Cloudflare REST API for Workers KV to the
// small surface the fleet services need: keyed get/put/delete with a
// per-tenant prefix, one-page listings and bulk writes.
package kvstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"
)

// ErrNotFound is returned by helpers that require the key to exist.
var ErrNotFound = errors.New("kvstore: key not found")

// MaxBulk is the number of pairs the bulk endpoint accepts per request.
const MaxBulk = 10000

// Store is a handle on one KV namespace, optionally scoped to a key prefix.
type Store struct {
	api    *cloudflare.API
	rc     *cloudflare.ResourceContainer
	ns     string
	prefix string
}

// Entry is one pair for a bulk write.
type Entry struct {
	Key   string
	Value []byte
	TTL   time.Duration
	Meta  map[string]any
}

// New returns a Store for namespaceID in accountID.
func New(api *cloudflare.API, accountID, namespaceID string) *Store {
	return &Store{api: api, rc: cloudflare.AccountIdentifier(accountID), ns: namespaceID}
}

// WithPrefix returns a copy of s whose keys are all prefixed with p.
func (s *Store) WithPrefix(p string) *Store {
	c := *s
	c.prefix = s.prefix + p
	return &c
}

// Prefix reports the key prefix of s.
func (s *Store) Prefix() string { return s.prefix }

func (s *Store) full(key string) string { return s.prefix + key }

// Get returns the value of key. found is false when the key does not exist.
func (s *Store) Get(ctx context.Context, key string) ([]byte, bool, error) {
	raw, err := s.api.GetWorkersKV(ctx, s.rc, cloudflare.GetWorkersKVParams{NamespaceID: s.ns, Key: s.full(key)})
	if err != nil {
		var nf *cloudflare.NotFoundError
		if errors.As(err, &nf) {
			return nil, false, nil
		}
		return nil, false, fmt.Errorf("kv get %q: %w", key, err)
	}
	return raw, true, nil
}

// GetJSON decodes the value of key into v.
func (s *Store) GetJSON(ctx context.Context, key string, v any) (bool, error) {
	raw, found, err := s.Get(ctx, key)
	if err != nil || !found {
		return false, err
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return false, fmt.Errorf("kv decode %q: %w", key, err)
	}
	return true, nil
}

// Put writes value under key. A ttl of zero stores the value without expiry.
func (s *Store) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	pair := &cloudflare.WorkersKVPair{Key: s.full(key), Value: string(value)}
	if ttl > 0 {
		pair.ExpirationTTL = int(ttl.Seconds())
	}
	_, err := s.api.WriteWorkersKVEntries(ctx, s.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: s.ns, KVs: []*cloudflare.WorkersKVPair{pair}})
	if err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// PutJSON encodes v and writes it under key.
func (s *Store) PutJSON(ctx context.Context, key string, v any, ttl time.Duration) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("kv encode %q: %w", key, err)
	}
	return s.Put(ctx, key, raw, ttl)
}

// Cache writes a derived, re-computable value. Lifetimes shorter than a
// minute are raised to one minute.
func (s *Store) Cache(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return s.Put(ctx, key, value, ttl)
}

// PutUntil writes value under key with an absolute expiry.
func (s *Store) PutUntil(ctx context.Context, key string, value []byte, at time.Time) error {
	pair := &cloudflare.WorkersKVPair{Key: s.full(key), Value: string(value), Expiration: int(at.Unix())}
	_, err := s.api.WriteWorkersKVEntries(ctx, s.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: s.ns, KVs: []*cloudflare.WorkersKVPair{pair}})
	if err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// Delete removes key. Deleting a missing key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	if _, err := s.api.DeleteWorkersKVEntry(ctx, s.rc, cloudflare.DeleteWorkersKVEntryParams{NamespaceID: s.ns, Key: s.full(key)}); err != nil {
		return fmt.Errorf("kv delete %q: %w", key, err)
	}
	return nil
}

// Update applies fn to the current value of key (nil when missing) and
// stores the result.
func (s *Store) Update(ctx context.Context, key string, ttl time.Duration, fn func(old []byte) ([]byte, error)) error {
	old, _, err := s.Get(ctx, key)
	if err != nil {
		return err
	}
	next, err := fn(old)
	if err != nil {
		return fmt.Errorf("kv update %q: %w", key, err)
	}
	return s.Put(ctx, key, next, ttl) // EXPECT kvrace
}

// ListPage returns one page of keys under prefix, starting at cursor, and
// the cursor of the next page ("" when the listing is complete).
func (s *Store) ListPage(ctx context.Context, prefix, cursor string, limit int) ([]cloudflare.StorageKey, string, error) {
	resp, err := s.api.ListWorkersKVKeys(ctx, s.rc, cloudflare.ListWorkersKVsParams{
		NamespaceID: s.ns,
		Prefix:      s.full(prefix),
		Cursor:      cursor,
		Limit:       limit,
	})
	if err != nil {
		return nil, "", fmt.Errorf("kv list %q: %w", prefix, err)
	}
	return resp.Result, resp.Cursor, nil
}

// BulkPut writes entries in chunks the bulk endpoint accepts.
func (s *Store) BulkPut(ctx context.Context, entries []Entry) error {
	for start := 0; start < len(entries); start += MaxBulk {
		end := min(start+MaxBulk, len(entries))
		pairs := make([]*cloudflare.WorkersKVPair, 0, end-start)
		for _, e := range entries[start:end] {
			p := &cloudflare.WorkersKVPair{Key: s.full(e.Key), Value: string(e.Value)}
			if e.TTL > 0 {
				p.ExpirationTTL = int(e.TTL.Seconds())
			}
			if e.Meta != nil {
				p.Metadata = e.Meta
			}
			pairs = append(pairs, p)
		}
		if _, err := s.api.WriteWorkersKVEntries(ctx, s.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: s.ns, KVs: pairs}); err != nil {
			return fmt.Errorf("kv bulk put (%d..%d): %w", start, end, err)
		}
	}
	return nil
}

// BulkDelete removes keys in chunks.
func (s *Store) BulkDelete(ctx context.Context, keys []string) error {
	for start := 0; start < len(keys); start += MaxBulk {
		end := min(start+MaxBulk, len(keys))
		full := make([]string, 0, end-start)
		for _, k := range keys[start:end] {
			full = append(full, s.full(k))
		}
		if _, err := s.api.DeleteWorkersKVEntries(ctx, s.rc, cloudflare.DeleteWorkersKVEntriesParams{NamespaceID: s.ns, Keys: full}); err != nil {
			return fmt.Errorf("kv bulk delete: %w", err)
		}
	}
	return nil
}

// API exposes the underlying client for tools that need raw access.
func (s *Store) API() (*cloudflare.API, *cloudflare.ResourceContainer, string) {
	return s.api, s.rc, s.ns
}
