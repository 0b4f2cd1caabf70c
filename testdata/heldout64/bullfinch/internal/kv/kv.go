// Package kv adapts the Cloudflare REST API for Workers KV to the small set
// of operations the backend services need.
package kv

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cloudflare/cloudflare-go"
)

// ErrNotFound is returned by Get when the key does not exist.
var ErrNotFound = errors.New("kv: key not found")

// Namespace is one Workers KV namespace reached through the REST API.
type Namespace struct {
	api   *cloudflare.API
	rc    *cloudflare.ResourceContainer
	id    string
	title string
}

// Open returns a handle for namespaceID in accountID.
func Open(api *cloudflare.API, accountID, namespaceID, title string) *Namespace {
	return &Namespace{
		api:   api,
		rc:    cloudflare.AccountIdentifier(accountID),
		id:    namespaceID,
		title: title,
	}
}

// Title is the human-readable name of the namespace, used in logs.
func (n *Namespace) Title() string { return n.title }

// ID is the namespace identifier.
func (n *Namespace) ID() string { return n.id }

// API exposes the underlying client for the few callers that need calls the
// adapter does not wrap.
func (n *Namespace) API() (*cloudflare.API, *cloudflare.ResourceContainer) { return n.api, n.rc }

// Get reads key. A missing key is reported as ErrNotFound.
func (n *Namespace) Get(ctx context.Context, key string) ([]byte, error) {
	b, err := n.api.GetWorkersKV(ctx, n.rc, cloudflare.GetWorkersKVParams{NamespaceID: n.id, Key: key})
	if err != nil {
		var nf *cloudflare.NotFoundError
		if errors.As(err, &nf) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("kv %s: get %q: %w", n.title, key, err)
	}
	return b, nil
}

// Put writes value under key without an expiration.
func (n *Namespace) Put(ctx context.Context, key string, value []byte) error {
	_, err := n.api.WriteWorkersKVEntry(ctx, n.rc, cloudflare.WriteWorkersKVEntryParams{
		NamespaceID: n.id,
		Key:         key,
		Value:       value,
	})
	if err != nil {
		return fmt.Errorf("kv %s: put %q: %w", n.title, key, err)
	}
	return nil
}

// PutTTL writes value under key and lets KV expire it after ttl. The single
// value endpoint takes no expiration, so this goes through the bulk endpoint
// with one pair.
func (n *Namespace) PutTTL(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return n.PutPairs(ctx, []*cloudflare.WorkersKVPair{{
		Key:           key,
		Value:         string(value),
		ExpirationTTL: int(ttl.Seconds()),
	}})
}

// PutMeta writes value with metadata and an expiration ttl.
func (n *Namespace) PutMeta(ctx context.Context, key string, value []byte, meta any, ttl time.Duration) error {
	p := &cloudflare.WorkersKVPair{Key: key, Value: string(value), Metadata: meta}
	if ttl > 0 {
		p.ExpirationTTL = int(max(ttl, time.Minute).Seconds())
	}
	return n.PutPairs(ctx, []*cloudflare.WorkersKVPair{p})
}

// PutUntil writes value under key and lets KV expire it at the given time.
func (n *Namespace) PutUntil(ctx context.Context, key string, value []byte, at time.Time) error {
	return n.PutPairs(ctx, []*cloudflare.WorkersKVPair{{
		Key:        key,
		Value:      string(value),
		Expiration: int(at.Unix()),
	}})
}

// PutPairs writes pairs through the bulk endpoint.
func (n *Namespace) PutPairs(ctx context.Context, pairs []*cloudflare.WorkersKVPair) error {
	_, err := n.api.WriteWorkersKVEntries(ctx, n.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: n.id,
		KVs:         pairs,
	})
	if err != nil {
		return fmt.Errorf("kv %s: bulk put (%d pairs): %w", n.title, len(pairs), err)
	}
	return nil
}

// Delete removes key. Deleting a missing key is not an error.
func (n *Namespace) Delete(ctx context.Context, key string) error {
	_, err := n.api.DeleteWorkersKVEntry(ctx, n.rc, cloudflare.DeleteWorkersKVEntryParams{NamespaceID: n.id, Key: key})
	if err != nil {
		return fmt.Errorf("kv %s: delete %q: %w", n.title, key, err)
	}
	return nil
}

// DeleteMany removes keys through the bulk endpoint.
func (n *Namespace) DeleteMany(ctx context.Context, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	_, err := n.api.DeleteWorkersKVEntries(ctx, n.rc, cloudflare.DeleteWorkersKVEntriesParams{NamespaceID: n.id, Keys: keys})
	return err
}

// Page is one page of a key listing.
type Page struct {
	Keys   []cloudflare.StorageKey
	Cursor string // empty when the listing is complete
}

// ListPage returns one page of keys under prefix, starting at cursor.
func (n *Namespace) ListPage(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	resp, err := n.api.ListWorkersKVKeys(ctx, n.rc, cloudflare.ListWorkersKVsParams{
		NamespaceID: n.id,
		Prefix:      prefix,
		Cursor:      cursor,
		Limit:       limit,
	})
	if err != nil {
		return Page{}, fmt.Errorf("kv %s: list %q: %w", n.title, prefix, err)
	}
	return Page{Keys: resp.Result, Cursor: resp.Cursor}, nil
}
