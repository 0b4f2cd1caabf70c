// Package kvstore wraps one Workers KV namespace behind the Cloudflare REST
// API. The bot and the agents' console both run outside Cloudflare, so they
// reach KV through cloudflare-go rather than a binding.
package kvstore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/cloudflare/cloudflare-go"
)

// ErrNotFound is returned by Get when the key does not exist (REST 404).
var ErrNotFound = errors.New("kvstore: key not found")

// Namespace is a handle on one KV namespace of one account.
type Namespace struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	id  string
}

// Open returns a handle for namespaceID in accountID.
func Open(api *cloudflare.API, accountID, namespaceID string) *Namespace {
	return &Namespace{api: api, rc: cloudflare.AccountIdentifier(accountID), id: namespaceID}
}

// API exposes the SDK client and container for the few jobs that page the
// namespace themselves.
func (n *Namespace) API() (*cloudflare.API, *cloudflare.ResourceContainer, string) {
	return n.api, n.rc, n.id
}

// Get returns the raw value of key, or ErrNotFound.
func (n *Namespace) Get(ctx context.Context, key string) ([]byte, error) {
	raw, err := n.api.GetWorkersKV(ctx, n.rc, cloudflare.GetWorkersKVParams{NamespaceID: n.id, Key: key})
	if err != nil {
		var nf *cloudflare.NotFoundError
		if errors.As(err, &nf) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("kv get %q: %w", key, err)
	}
	return raw, nil
}

// Put stores val under key with no expiration.
func (n *Namespace) Put(ctx context.Context, key string, val []byte) error {
	_, err := n.api.WriteWorkersKVEntry(ctx, n.rc, cloudflare.WriteWorkersKVEntryParams{
		NamespaceID: n.id,
		Key:         key,
		Value:       val,
	})
	if err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// PutTTL stores val under key for ttl. The single-value endpoint of the SDK
// takes no expiration, so this goes through the bulk endpoint with one pair.
func (n *Namespace) PutTTL(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	_, err := n.api.WriteWorkersKVEntries(ctx, n.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: n.id,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:           key,
			Value:         string(val),
			ExpirationTTL: int(ttl.Seconds()),
		}},
	})
	if err != nil {
		return fmt.Errorf("kv put %q (ttl %s): %w", key, ttl, err)
	}
	return nil
}

// PutUntil stores val under key until the absolute time at.
func (n *Namespace) PutUntil(ctx context.Context, key string, val []byte, at time.Time) error {
	_, err := n.api.WriteWorkersKVEntries(ctx, n.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: n.id,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:        key,
			Value:      string(val),
			Expiration: int(at.Unix()),
		}},
	})
	if err != nil {
		return fmt.Errorf("kv put %q (until %s): %w", key, at.Format(time.RFC3339), err)
	}
	return nil
}

// Cache stores a derived value that can be recomputed. Short lifetimes are
// raised to the namespace minimum instead of failing the request.
func (n *Namespace) Cache(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return n.PutTTL(ctx, key, val, ttl)
}

// Delete removes key. Deleting a missing key is not an error.
func (n *Namespace) Delete(ctx context.Context, key string) error {
	_, err := n.api.DeleteWorkersKVEntry(ctx, n.rc, cloudflare.DeleteWorkersKVEntryParams{NamespaceID: n.id, Key: key})
	if err != nil {
		var nf *cloudflare.NotFoundError
		if errors.As(err, &nf) {
			return nil
		}
		return fmt.Errorf("kv delete %q: %w", key, err)
	}
	return nil
}

// Page returns one page of keys under prefix and the cursor of the next
// page ("" when there is none). Callers hand the cursor back to their own
// clients; nothing here loops.
func (n *Namespace) Page(ctx context.Context, prefix, cursor string, limit int) ([]cloudflare.StorageKey, string, error) {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	resp, err := n.api.ListWorkersKVKeys(ctx, n.rc, cloudflare.ListWorkersKVsParams{
		NamespaceID: n.id,
		Prefix:      prefix,
		Cursor:      cursor,
		Limit:       limit,
	})
	if err != nil {
		return nil, "", fmt.Errorf("kv list %q: %w", prefix, err)
	}
	return resp.Result, resp.ResultInfo.Cursor, nil
}

// Mutate applies fn to the current value of key (nil when missing) and
// stores what fn returns. A nil result from fn leaves the key untouched.
func (n *Namespace) Mutate(ctx context.Context, key string, ttl time.Duration, fn func(old []byte) ([]byte, error)) error {
	old, err := n.Get(ctx, key)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	next, err := fn(old)
	if err != nil || next == nil {
		return err
	}
	if ttl > 0 {
		return n.PutTTL(ctx, key, next, ttl) // EXPECT kvrace
	}
	return n.Put(ctx, key, next) // EXPECT kvrace
}

// BulkPut writes pairs in requests of at most 10,000 pairs each.
func (n *Namespace) BulkPut(ctx context.Context, pairs []*cloudflare.WorkersKVPair) error {
	for batch := range slices.Chunk(pairs, 10_000) {
		if _, err := n.api.WriteWorkersKVEntries(ctx, n.rc, cloudflare.WriteWorkersKVEntriesParams{
			NamespaceID: n.id,
			KVs:         batch,
		}); err != nil {
			return fmt.Errorf("kv bulk put (%d pairs): %w", len(batch), err)
		}
	}
	return nil
}
