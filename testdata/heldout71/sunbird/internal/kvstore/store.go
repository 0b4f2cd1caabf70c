// Package kvstore is the backend's thin adapter over the Workers KV REST API
// (cloudflare-go v0). It knows about namespaces and lifetimes, nothing about
// sites or deploys.
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

// MaxBulk is the number of pairs the bulk endpoint accepts in one request.
const MaxBulk = 10000

// Namespace is one KV namespace reached through the account API.
type Namespace struct {
	API *cloudflare.API
	RC  *cloudflare.ResourceContainer
	ID  string
}

// Open builds a Namespace from an API token, account and namespace ID.
func Open(token, accountID, namespaceID string) (*Namespace, error) {
	api, err := cloudflare.NewWithAPIToken(token)
	if err != nil {
		return nil, fmt.Errorf("kvstore: %w", err)
	}
	return &Namespace{API: api, RC: cloudflare.AccountIdentifier(accountID), ID: namespaceID}, nil
}

// Get reads a value. A missing key is reported as ErrNotFound.
func (n *Namespace) Get(ctx context.Context, key string) ([]byte, error) {
	raw, err := n.API.GetWorkersKV(ctx, n.RC, cloudflare.GetWorkersKVParams{NamespaceID: n.ID, Key: key})
	if err != nil {
		var nf cloudflare.NotFoundError
		if errors.As(err, &nf) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("kvstore: get %q: %w", key, err)
	}
	return raw, nil
}

// Put writes a value that expires after ttl. A zero ttl means no expiry.
// The single-value endpoint of the v0 client takes no expiry, so values with
// a lifetime go through the bulk endpoint as a batch of one.
func (n *Namespace) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl == 0 {
		_, err := n.API.WriteWorkersKVEntry(ctx, n.RC, cloudflare.WriteWorkersKVEntryParams{
			NamespaceID: n.ID, Key: key, Value: value,
		})
		return err
	}
	pair := &cloudflare.WorkersKVPair{
		Key:           key,
		Value:         string(value),
		ExpirationTTL: int(ttl.Seconds()),
	}
	_, err := n.API.WriteWorkersKVEntries(ctx, n.RC, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: n.ID, KVs: []*cloudflare.WorkersKVPair{pair},
	})
	return err
}

// PutCache writes a cache entry. Cache lifetimes come from upstream headers
// and are often short, so they are raised to KV's minimum here.
func (n *Namespace) PutCache(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	_, err := n.API.WriteWorkersKVEntries(ctx, n.RC, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: n.ID,
		KVs: []*cloudflare.WorkersKVPair{{
			Key: key, Value: string(value), ExpirationTTL: int(ttl / time.Second),
		}},
	})
	return err
}

// PutUntil writes a value that expires at an absolute time.
func (n *Namespace) PutUntil(ctx context.Context, key string, value []byte, at time.Time) error {
	_, err := n.API.WriteWorkersKVEntries(ctx, n.RC, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: n.ID,
		KVs:         []*cloudflare.WorkersKVPair{{Key: key, Value: string(value), Expiration: int(at.Unix())}},
	})
	return err
}

// Delete removes a key. Deleting a missing key is not an error.
func (n *Namespace) Delete(ctx context.Context, key string) error {
	_, err := n.API.DeleteWorkersKVEntry(ctx, n.RC, cloudflare.DeleteWorkersKVEntryParams{NamespaceID: n.ID, Key: key})
	return err
}

// Page is one page of a key listing.
type Page struct {
	Keys   []cloudflare.StorageKey
	Cursor string
}

// ListPage returns one page of keys under prefix starting at cursor. An
// empty Cursor in the result means the listing is complete.
func (n *Namespace) ListPage(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	res, err := n.API.ListWorkersKVKeys(ctx, n.RC, cloudflare.ListWorkersKVsParams{
		NamespaceID: n.ID, Prefix: prefix, Cursor: cursor, Limit: limit,
	})
	if err != nil {
		return Page{}, err
	}
	return Page{Keys: res.Result, Cursor: res.ResultInfo.Cursor}, nil
}

// PutMany writes pairs in batches the bulk endpoint accepts.
func (n *Namespace) PutMany(ctx context.Context, pairs []*cloudflare.WorkersKVPair) error {
	var errs []error
	for start := 0; start < len(pairs); start += MaxBulk {
		end := min(start+MaxBulk, len(pairs))
		if _, err := n.API.WriteWorkersKVEntries(ctx, n.RC, cloudflare.WriteWorkersKVEntriesParams{
			NamespaceID: n.ID, KVs: pairs[start:end],
		}); err != nil {
			errs = append(errs, fmt.Errorf("batch %d-%d: %w", start, end, err))
		}
	}
	return errors.Join(errs...)
}

// DeleteMany removes keys in batches.
func (n *Namespace) DeleteMany(ctx context.Context, keys []string) error {
	for start := 0; start < len(keys); start += MaxBulk {
		end := min(start+MaxBulk, len(keys))
		if _, err := n.API.DeleteWorkersKVEntries(ctx, n.RC, cloudflare.DeleteWorkersKVEntriesParams{
			NamespaceID: n.ID, Keys: keys[start:end],
		}); err != nil {
			return err
		}
	}
	return nil
}
