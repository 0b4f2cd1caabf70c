// Package kvstore adapts cloudflare-go's Workers KV REST calls to the shapes
// the rest of the backend uses: byte values, time.Duration lifetimes and
// found/not-found lookups.
package kvstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cloudflare/cloudflare-go"
)

// ErrNotFound is returned by GetJSON when the key does not exist.
var ErrNotFound = errors.New("kvstore: key not found")

// Namespace is one KV namespace in one account.
type Namespace struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	id  string
}

// Open binds a namespace. The API client is shared between namespaces.
func Open(api *cloudflare.API, accountID, namespaceID string) *Namespace {
	return &Namespace{api: api, rc: cloudflare.AccountIdentifier(accountID), id: namespaceID}
}

// SDK returns the underlying client and identifiers for the few callers
// that need an endpoint this package does not wrap.
func (n *Namespace) SDK() (*cloudflare.API, *cloudflare.ResourceContainer, string) {
	return n.api, n.rc, n.id
}

// Get returns the stored value. The REST API answers a missing key with a
// 404, which surfaces here as a *cloudflare.NotFoundError.
func (n *Namespace) Get(ctx context.Context, key string) ([]byte, error) {
	return n.api.GetWorkersKV(ctx, n.rc, cloudflare.GetWorkersKVParams{NamespaceID: n.id, Key: key})
}

// Lookup is Get with the 404 turned into found == false.
func (n *Namespace) Lookup(ctx context.Context, key string) ([]byte, bool, error) {
	v, err := n.Get(ctx, key)
	if err != nil {
		if IsNotFound(err) {
			return nil, false, nil
		}
		return nil, false, err
	}
	return v, true, nil
}

// IsNotFound reports whether err is the API's 404.
func IsNotFound(err error) bool {
	var nf *cloudflare.NotFoundError
	return errors.As(err, &nf)
}

// GetJSON decodes the value under key into v, or returns ErrNotFound.
func (n *Namespace) GetJSON(ctx context.Context, key string, v any) error {
	raw, ok, err := n.Lookup(ctx, key)
	if err != nil {
		return err
	}
	if !ok {
		return ErrNotFound
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("kvstore: decode %s: %w", key, err)
	}
	return nil
}

// Put writes a value with no expiration.
func (n *Namespace) Put(ctx context.Context, key string, value []byte) error {
	_, err := n.api.WriteWorkersKVEntry(ctx, n.rc, cloudflare.WriteWorkersKVEntryParams{
		NamespaceID: n.id,
		Key:         key,
		Value:       value,
	})
	return err
}

// PutTTL writes a value that expires ttl from now. The single-value
// endpoint takes no expiration, so this goes through the bulk endpoint with
// one pair.
func (n *Namespace) PutTTL(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	_, err := n.api.WriteWorkersKVEntries(ctx, n.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: n.id,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:           key,
			Value:         string(value),
			ExpirationTTL: int(ttl.Seconds()),
		}},
	})
	return err
}

// PutCached writes a cache entry. Cache windows shorter than KV's minimum
// lifetime are raised to it, so callers can pass their freshness target.
func (n *Namespace) PutCached(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return n.PutTTL(ctx, key, value, ttl)
}

// PutUntil writes a value that expires at the given instant.
func (n *Namespace) PutUntil(ctx context.Context, key string, value []byte, at time.Time) error {
	_, err := n.api.WriteWorkersKVEntries(ctx, n.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: n.id,
		KVs:         []*cloudflare.WorkersKVPair{{Key: key, Value: string(value), Expiration: int(at.Unix())}},
	})
	return err
}

// PutJSON encodes v and writes it; ttl == 0 means no expiration.
func (n *Namespace) PutJSON(ctx context.Context, key string, v any, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("kvstore: encode %s: %w", key, err)
	}
	if ttl == 0 {
		return n.Put(ctx, key, b)
	}
	return n.PutTTL(ctx, key, b, ttl)
}

// PutMany writes pairs with one bulk request.
func (n *Namespace) PutMany(ctx context.Context, pairs []*cloudflare.WorkersKVPair) error {
	if len(pairs) == 0 {
		return nil
	}
	_, err := n.api.WriteWorkersKVEntries(ctx, n.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: n.id, KVs: pairs})
	return err
}

// Delete removes key. Deleting a missing key is not an error.
func (n *Namespace) Delete(ctx context.Context, key string) error {
	_, err := n.api.DeleteWorkersKVEntry(ctx, n.rc, cloudflare.DeleteWorkersKVEntryParams{NamespaceID: n.id, Key: key})
	if err != nil && !IsNotFound(err) {
		return err
	}
	return nil
}

// DeleteMany removes keys with one bulk request.
func (n *Namespace) DeleteMany(ctx context.Context, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	_, err := n.api.DeleteWorkersKVEntries(ctx, n.rc, cloudflare.DeleteWorkersKVEntriesParams{NamespaceID: n.id, Keys: keys})
	return err
}

// ListPage returns one page of keys under prefix and the cursor for the
// next page ("" when there is none).
func (n *Namespace) ListPage(ctx context.Context, prefix, cursor string, limit int) ([]cloudflare.StorageKey, string, error) {
	resp, err := n.api.ListWorkersKVKeys(ctx, n.rc, cloudflare.ListWorkersKVsParams{
		NamespaceID: n.id,
		Prefix:      prefix,
		Cursor:      cursor,
		Limit:       limit,
	})
	if err != nil {
		return nil, "", err
	}
	return resp.Result, resp.Cursor, nil
}
