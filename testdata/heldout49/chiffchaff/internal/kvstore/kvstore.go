// Package kvstore is a thin adapter over the Workers KV endpoints of the
// cloudflare-go v0 client. It maps 404 responses to ErrNotFound, converts
// durations to the second-based fields the API expects and offers a paged
// Walk over a prefix.
package kvstore

import (
	"context"
	"encoding"
	"errors"
	"fmt"
	"time"

	"github.com/cloudflare/cloudflare-go"
)

// ErrNotFound is returned by Get when the key does not exist.
var ErrNotFound = errors.New("kvstore: key not found")

// ErrStopWalk may be returned by a Walk callback to end the walk early
// without an error.
var ErrStopWalk = errors.New("kvstore: stop walk")

// MaxBulk is the largest number of pairs the bulk endpoint accepts.
const MaxBulk = 10000

// Meta is the metadata stored alongside a key.
type Meta map[string]any

// Namespace is one KV namespace in one account.
type Namespace struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	id  string

	// PageSize is the list page size used by Walk (default 1000).
	PageSize int
	// MaxPages bounds the number of list pages Walk reads (default 20).
	MaxPages int
}

// New returns a Namespace bound to accountID and namespaceID.
func New(api *cloudflare.API, accountID, namespaceID string) *Namespace {
	return &Namespace{
		api:      api,
		rc:       cloudflare.AccountIdentifier(accountID),
		id:       namespaceID,
		PageSize: 1000,
		MaxPages: 20,
	}
}

// API exposes the underlying client for callers that need an endpoint the
// adapter does not wrap.
func (n *Namespace) API() (*cloudflare.API, *cloudflare.ResourceContainer, string) {
	return n.api, n.rc, n.id
}

// Get returns the value stored under key.
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

// GetObject decodes the value under key into v.
func (n *Namespace) GetObject(ctx context.Context, key string, v encoding.BinaryUnmarshaler) error {
	raw, err := n.Get(ctx, key)
	if err != nil {
		return err
	}
	return v.UnmarshalBinary(raw)
}

// Put stores value under key with no expiration.
func (n *Namespace) Put(ctx context.Context, key string, value []byte) error {
	_, err := n.api.WriteWorkersKVEntry(ctx, n.rc, cloudflare.WriteWorkersKVEntryParams{
		NamespaceID: n.id,
		Key:         key,
		Value:       value,
	})
	if err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// PutTTL stores value under key for ttl. A zero ttl stores without expiry.
func (n *Namespace) PutTTL(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	pair := &cloudflare.WorkersKVPair{
		Key:           key,
		Value:         string(value),
		ExpirationTTL: int(ttl.Seconds()),
	}
	return n.PutMany(ctx, []*cloudflare.WorkersKVPair{pair})
}

// PutUntil stores value under key until the absolute time at.
func (n *Namespace) PutUntil(ctx context.Context, key string, value []byte, at time.Time) error {
	pair := &cloudflare.WorkersKVPair{
		Key:        key,
		Value:      string(value),
		Expiration: int(at.Unix()),
	}
	return n.PutMany(ctx, []*cloudflare.WorkersKVPair{pair})
}

// PutWithMeta stores value and metadata under key for ttl.
func (n *Namespace) PutWithMeta(ctx context.Context, key string, value []byte, meta Meta, ttl time.Duration) error {
	pair := &cloudflare.WorkersKVPair{
		Key:           key,
		Value:         string(value),
		Metadata:      meta,
		ExpirationTTL: int(ttl.Seconds()),
	}
	return n.PutMany(ctx, []*cloudflare.WorkersKVPair{pair})
}

// PutObject encodes v and stores it under key for ttl.
func (n *Namespace) PutObject(ctx context.Context, key string, v encoding.BinaryMarshaler, ttl time.Duration) error {
	raw, err := v.MarshalBinary()
	if err != nil {
		return fmt.Errorf("kv encode %q: %w", key, err)
	}
	return n.PutTTL(ctx, key, raw, ttl)
}

// PutMany writes pairs with the bulk endpoint, MaxBulk at a time.
func (n *Namespace) PutMany(ctx context.Context, pairs []*cloudflare.WorkersKVPair) error {
	for start := 0; start < len(pairs); start += MaxBulk {
		end := min(start+MaxBulk, len(pairs))
		if _, err := n.api.WriteWorkersKVEntries(ctx, n.rc, cloudflare.WriteWorkersKVEntriesParams{
			NamespaceID: n.id,
			KVs:         pairs[start:end],
		}); err != nil {
			return fmt.Errorf("kv bulk put: %w", err)
		}
	}
	return nil
}

// Delete removes key.
func (n *Namespace) Delete(ctx context.Context, key string) error {
	_, err := n.api.DeleteWorkersKVEntry(ctx, n.rc, cloudflare.DeleteWorkersKVEntryParams{NamespaceID: n.id, Key: key})
	if err != nil {
		return fmt.Errorf("kv delete %q: %w", key, err)
	}
	return nil
}

// DeleteMany removes keys with the bulk endpoint, MaxBulk at a time.
func (n *Namespace) DeleteMany(ctx context.Context, keys []string) error {
	for start := 0; start < len(keys); start += MaxBulk {
		end := min(start+MaxBulk, len(keys))
		if _, err := n.api.DeleteWorkersKVEntries(ctx, n.rc, cloudflare.DeleteWorkersKVEntriesParams{
			NamespaceID: n.id,
			Keys:        keys[start:end],
		}); err != nil {
			return fmt.Errorf("kv bulk delete: %w", err)
		}
	}
	return nil
}

// List returns one page of keys under prefix starting at cursor, and the
// cursor of the next page ("" when there is none).
func (n *Namespace) List(ctx context.Context, prefix, cursor string, limit int) ([]cloudflare.StorageKey, string, error) {
	resp, err := n.api.ListWorkersKVKeys(ctx, n.rc, cloudflare.ListWorkersKVsParams{
		NamespaceID: n.id,
		Prefix:      prefix,
		Cursor:      cursor,
		Limit:       limit,
	})
	if err != nil {
		return nil, "", fmt.Errorf("kv list %q: %w", prefix, err)
	}
	return resp.Result, resp.Cursor, nil
}

// Walk calls fn for every key under prefix, in key order, reading at most
// MaxPages pages. fn may return ErrStopWalk to end the walk.
func (n *Namespace) Walk(ctx context.Context, prefix string, fn func(key string, meta Meta) error) error {
	cursor := ""
	for page := 0; page < n.MaxPages; page++ {
		keys, next, err := n.List(ctx, prefix, cursor, n.PageSize)
		if err != nil {
			return err
		}
		for _, k := range keys {
			meta, _ := k.Metadata.(map[string]any)
			if err := fn(k.Name, meta); err != nil {
				if errors.Is(err, ErrStopWalk) {
					return nil
				}
				return err
			}
		}
		if next == "" {
			return nil
		}
		cursor = next
	}
	return fmt.Errorf("kv walk %q: more than %d pages", prefix, n.MaxPages)
}

// AppendLine appends line to the newline-separated log stored under key.
func (n *Namespace) AppendLine(ctx context.Context, key, line string) error {
	old, err := n.Get(ctx, key)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	return n.Put(ctx, key, append(old, line+"\n"...)) // EXPECT kvrace
}
