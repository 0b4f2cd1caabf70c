// Package edgekv is the operator's adapter over the Cloudflare REST API for
// the Workers KV namespace that the edge router reads.
package edgekv

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cloudflare/cloudflare-go"
)

// MinTTL is the shortest expiration Workers KV accepts.
const MinTTL = 60 * time.Second

// MaxBulk is the number of pairs the bulk endpoints accept per request.
const MaxBulk = 10_000

// ErrNotFound is returned by Get when the key does not exist.
var ErrNotFound = errors.New("edgekv: key not found")

// Store talks to one KV namespace of one account.
type Store struct {
	api         *cloudflare.API
	account     *cloudflare.ResourceContainer
	namespaceID string
}

// New returns a Store for the given account and namespace.
func New(api *cloudflare.API, accountID, namespaceID string) *Store {
	return &Store{
		api:         api,
		account:     cloudflare.AccountIdentifier(accountID),
		namespaceID: namespaceID,
	}
}

// API exposes the underlying client for callers that need bulk or list
// calls with their own parameters.
func (s *Store) API() *cloudflare.API { return s.api }

// Account is the resource container of the namespace's account.
func (s *Store) Account() *cloudflare.ResourceContainer { return s.account }

// NamespaceID is the KV namespace this store writes to.
func (s *Store) NamespaceID() string { return s.namespaceID }

// Get returns the value of key, or ErrNotFound.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	raw, err := s.api.GetWorkersKV(ctx, s.account, cloudflare.GetWorkersKVParams{
		NamespaceID: s.namespaceID,
		Key:         key,
	})
	if err != nil {
		var nf *cloudflare.NotFoundError
		if errors.As(err, &nf) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("kv get %q: %w", key, err)
	}
	return raw, nil
}

// Put writes a value that never expires.
func (s *Store) Put(ctx context.Context, key string, value []byte) error {
	_, err := s.api.WriteWorkersKVEntry(ctx, s.account, cloudflare.WriteWorkersKVEntryParams{
		NamespaceID: s.namespaceID,
		Key:         key,
		Value:       value,
	})
	if err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// PutTTL writes a value that expires ttl from now. The single-value endpoint
// takes no expiration, so this goes through the bulk endpoint with one pair.
func (s *Store) PutTTL(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	_, err := s.api.WriteWorkersKVEntries(ctx, s.account, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: s.namespaceID,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:           key,
			Value:         string(value),
			ExpirationTTL: int(ttl.Seconds()),
		}},
	})
	if err != nil {
		return fmt.Errorf("kv put %q (ttl %s): %w", key, ttl, err)
	}
	return nil
}

// PutCached writes a cache entry. Lifetimes shorter than KV's minimum are
// raised to it, which suits values that are recomputed on a miss anyway.
func (s *Store) PutCached(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < MinTTL {
		ttl = MinTTL
	}
	return s.PutTTL(ctx, key, value, ttl)
}

// PutUntil writes a value that expires at an absolute time.
func (s *Store) PutUntil(ctx context.Context, key string, value []byte, at time.Time) error {
	_, err := s.api.WriteWorkersKVEntries(ctx, s.account, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: s.namespaceID,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:        key,
			Value:      string(value),
			Expiration: int(at.Unix()),
		}},
	})
	if err != nil {
		return fmt.Errorf("kv put %q (until %s): %w", key, at.Format(time.RFC3339), err)
	}
	return nil
}

// WriteBatch writes pairs in requests of at most MaxBulk pairs.
func (s *Store) WriteBatch(ctx context.Context, pairs []*cloudflare.WorkersKVPair) error {
	for start := 0; start < len(pairs); start += MaxBulk {
		end := min(start+MaxBulk, len(pairs))
		_, err := s.api.WriteWorkersKVEntries(ctx, s.account, cloudflare.WriteWorkersKVEntriesParams{
			NamespaceID: s.namespaceID,
			KVs:         pairs[start:end],
		})
		if err != nil {
			return fmt.Errorf("kv bulk write [%d:%d]: %w", start, end, err)
		}
	}
	return nil
}

// Delete removes one key. Deleting a missing key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.api.DeleteWorkersKVEntry(ctx, s.account, cloudflare.DeleteWorkersKVEntryParams{
		NamespaceID: s.namespaceID,
		Key:         key,
	})
	if err != nil {
		return fmt.Errorf("kv delete %q: %w", key, err)
	}
	return nil
}

// DeleteKeys removes keys in requests of at most MaxBulk keys.
func (s *Store) DeleteKeys(ctx context.Context, keys []string) error {
	for start := 0; start < len(keys); start += MaxBulk {
		end := min(start+MaxBulk, len(keys))
		_, err := s.api.DeleteWorkersKVEntries(ctx, s.account, cloudflare.DeleteWorkersKVEntriesParams{
			NamespaceID: s.namespaceID,
			Keys:        keys[start:end],
		})
		if err != nil {
			return fmt.Errorf("kv bulk delete [%d:%d]: %w", start, end, err)
		}
	}
	return nil
}

// ListPage returns one page of keys under prefix and the cursor of the next
// page, which is empty on the last page.
func (s *Store) ListPage(ctx context.Context, prefix, cursor string, limit int) ([]cloudflare.StorageKey, string, error) {
	resp, err := s.api.ListWorkersKVKeys(ctx, s.account, cloudflare.ListWorkersKVsParams{
		NamespaceID: s.namespaceID,
		Prefix:      prefix,
		Cursor:      cursor,
		Limit:       limit,
	})
	if err != nil {
		return nil, "", fmt.Errorf("kv list %q: %w", prefix, err)
	}
	return resp.Result, resp.Cursor, nil
}
