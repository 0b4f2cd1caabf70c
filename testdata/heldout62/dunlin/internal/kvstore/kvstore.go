// Package kvstore is the backend's adapter for Workers KV. Services that run
// outside Cloudflare (the API server, Temporal workers, Lambdas) reach KV
// through the REST API with cloudflare-go, and only through this package.
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

const (
	// MinTTL is the shortest expiration KV accepts.
	MinTTL = 60 * time.Second
	// MaxBulk is the number of pairs one bulk request may carry.
	MaxBulk = 10_000
)

// Namespace is one KV namespace of one account.
type Namespace struct {
	api   *cloudflare.API
	rc    *cloudflare.ResourceContainer
	id    string
	title string
}

// Open binds a namespace. The title is used in errors only.
func Open(api *cloudflare.API, accountID, namespaceID, title string) *Namespace {
	return &Namespace{api: api, rc: cloudflare.AccountIdentifier(accountID), id: namespaceID, title: title}
}

func (n *Namespace) wrap(op, key string, err error) error {
	if err == nil {
		return nil
	}
	var nf *cloudflare.NotFoundError
	if errors.As(err, &nf) {
		return ErrNotFound
	}
	return fmt.Errorf("kv %s: %s %q: %w", n.title, op, key, err)
}

// Get returns the value stored under key, or ErrNotFound.
func (n *Namespace) Get(ctx context.Context, key string) ([]byte, error) {
	raw, err := n.api.GetWorkersKV(ctx, n.rc, cloudflare.GetWorkersKVParams{NamespaceID: n.id, Key: key})
	if err != nil {
		return nil, n.wrap("get", key, err)
	}
	return raw, nil
}

// Put stores value under key with no expiration.
func (n *Namespace) Put(ctx context.Context, key string, value []byte) error {
	_, err := n.api.WriteWorkersKVEntry(ctx, n.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: n.id, Key: key, Value: value})
	if err != nil {
		return n.wrap("put", key, err)
	}
	return nil
}

// PutTTL stores value under key and lets KV expire it after ttl. The
// single-value endpoint takes no expiration, so this goes through bulk.
func (n *Namespace) PutTTL(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return n.PutMany(ctx, []*cloudflare.WorkersKVPair{{
		Key:           key,
		Value:         string(value),
		ExpirationTTL: int(ttl.Seconds()),
	}})
}

// PutCached is PutTTL for derived data: lifetimes below KV's minimum are
// raised to it.
func (n *Namespace) PutCached(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < MinTTL {
		ttl = MinTTL
	}
	return n.PutTTL(ctx, key, value, ttl)
}

// PutMany writes up to MaxBulk pairs in one request.
func (n *Namespace) PutMany(ctx context.Context, pairs []*cloudflare.WorkersKVPair) error {
	if len(pairs) == 0 {
		return nil
	}
	_, err := n.api.WriteWorkersKVEntries(ctx, n.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: n.id, KVs: pairs})
	if err != nil {
		return n.wrap("bulk put", pairs[0].Key, err)
	}
	return nil
}

// Delete removes key. Deleting a missing key is not an error.
func (n *Namespace) Delete(ctx context.Context, key string) error {
	_, err := n.api.DeleteWorkersKVEntry(ctx, n.rc, cloudflare.DeleteWorkersKVEntryParams{NamespaceID: n.id, Key: key})
	if err = n.wrap("delete", key, err); errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

// DeleteMany removes keys in bulk requests of at most MaxBulk keys.
func (n *Namespace) DeleteMany(ctx context.Context, keys []string) error {
	for start := 0; start < len(keys); start += MaxBulk {
		batch := keys[start:min(start+MaxBulk, len(keys))]
		_, err := n.api.DeleteWorkersKVEntries(ctx, n.rc, cloudflare.DeleteWorkersKVEntriesParams{NamespaceID: n.id, Keys: batch})
		if err != nil {
			return n.wrap("bulk delete", batch[0], err)
		}
	}
	return nil
}

// Page returns one page of keys under prefix, and the cursor of the next
// page ("" when this was the last one).
func (n *Namespace) Page(ctx context.Context, prefix, cursor string, limit int) ([]cloudflare.StorageKey, string, error) {
	resp, err := n.api.ListWorkersKVKeys(ctx, n.rc, cloudflare.ListWorkersKVsParams{
		NamespaceID: n.id,
		Prefix:      prefix,
		Cursor:      cursor,
		Limit:       limit,
	})
	if err != nil {
		return nil, "", n.wrap("list", prefix, err)
	}
	return resp.Result, resp.Cursor, nil
}

// Keys returns the name of every key under prefix.
func (n *Namespace) Keys(ctx context.Context, prefix string) ([]string, error) {
	var names []string
	cursor := ""
	for {
		resp, err := n.api.ListWorkersKVKeys(ctx, n.rc, cloudflare.ListWorkersKVsParams{ // EXPECT kvlist
			NamespaceID: n.id,
			Prefix:      prefix,
			Cursor:      cursor,
		})
		if err != nil {
			return nil, n.wrap("list", prefix, err)
		}
		for _, k := range resp.Result {
			names = append(names, k.Name)
		}
		if resp.Cursor == "" {
			return names, nil
		}
		cursor = resp.Cursor
	}
}

// HasPrefix reports whether at least one key starts with prefix.
func (n *Namespace) HasPrefix(ctx context.Context, prefix string) (bool, error) {
	resp, err := n.api.ListWorkersKVKeys(ctx, n.rc, cloudflare.ListWorkersKVsParams{
		NamespaceID: n.id,
		Prefix:      prefix,
		Limit:       1, // EXPECT kvlimits
	})
	if err != nil {
		return false, n.wrap("list", prefix, err)
	}
	return len(resp.Result) > 0, nil
}
