// Package kvstore is the backend's thin layer over the Cloudflare REST API for
// Workers KV. It hides the account resource container and the 404 handling of
// cloudflare-go so that domain packages deal in bytes and namespaces.
package kvstore

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/cloudflare/cloudflare-go"
)

// Namespace is a Workers KV namespace ID.
type Namespace string

// The namespaces the backend writes to. IDs are filled in by main from the
// deployment settings.
var (
	NSQuestions Namespace // question pages, tag indexes, feeds
	NSMetrics   Namespace // sketches, bitmaps, counters
	NSAuth      Namespace // sessions, login links, oauth state
	NSMod       Namespace // moderation queue and reports
)

// Client talks to KV for one account.
type Client struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
}

// New builds a client from an API token and the account that owns the namespaces.
func New(token, accountID string) (*Client, error) {
	api, err := cloudflare.NewWithAPIToken(token)
	if err != nil {
		return nil, fmt.Errorf("kvstore: %w", err)
	}
	return &Client{api: api, rc: cloudflare.AccountIdentifier(accountID)}, nil
}

// Raw exposes the SDK for the few callers that need request shapes this
// package does not wrap.
func (c *Client) Raw() (*cloudflare.API, *cloudflare.ResourceContainer) { return c.api, c.rc }

// IsNotFound reports whether err is the API's 404 for a missing key.
func IsNotFound(err error) bool {
	var nf *cloudflare.NotFoundError
	return errors.As(err, &nf)
}

// Get reads key. A missing key is reported as found == false with a nil error.
func (c *Client) Get(ctx context.Context, ns Namespace, key string) (val []byte, found bool, err error) {
	b, err := c.api.GetWorkersKV(ctx, c.rc, cloudflare.GetWorkersKVParams{NamespaceID: string(ns), Key: key})
	if err != nil {
		if IsNotFound(err) {
			return nil, false, nil
		}
		return nil, false, fmt.Errorf("kv get %s: %w", key, err)
	}
	return b, true, nil
}

// Put writes key with no expiry.
func (c *Client) Put(ctx context.Context, ns Namespace, key string, val []byte) error {
	_, err := c.api.WriteWorkersKVEntry(ctx, c.rc, cloudflare.WriteWorkersKVEntryParams{
		NamespaceID: string(ns),
		Key:         key,
		Value:       val,
	})
	if err != nil {
		return fmt.Errorf("kv put %s: %w", key, err)
	}
	return nil
}

// PutTTL writes key so that it expires after ttl. The single-value endpoint
// takes no expiry, so this goes through the bulk endpoint with one pair.
// Lifetimes shorter than KV accepts are raised to the minimum.
func (c *Client) PutTTL(ctx context.Context, ns Namespace, key string, val []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return c.BulkPut(ctx, ns, []*cloudflare.WorkersKVPair{{
		Key:           key,
		Value:         base64.StdEncoding.EncodeToString(val),
		Base64:        true,
		ExpirationTTL: int(ttl.Seconds()),
	}})
}

// PutWithMeta writes key with metadata and a lifetime.
func (c *Client) PutWithMeta(ctx context.Context, ns Namespace, key string, val []byte, meta any, ttl time.Duration) error {
	return c.BulkPut(ctx, ns, []*cloudflare.WorkersKVPair{{
		Key:           key,
		Value:         base64.StdEncoding.EncodeToString(val),
		Base64:        true,
		Metadata:      meta,
		ExpirationTTL: int(ttl.Seconds()),
	}})
}

// BulkPut writes pairs in one request.
func (c *Client) BulkPut(ctx context.Context, ns Namespace, pairs []*cloudflare.WorkersKVPair) error {
	if len(pairs) == 0 {
		return nil
	}
	_, err := c.api.WriteWorkersKVEntries(ctx, c.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: string(ns),
		KVs:         pairs,
	})
	if err != nil {
		return fmt.Errorf("kv bulk put (%d pairs): %w", len(pairs), err)
	}
	return nil
}

// Delete removes key.
func (c *Client) Delete(ctx context.Context, ns Namespace, key string) error {
	_, err := c.api.DeleteWorkersKVEntry(ctx, c.rc, cloudflare.DeleteWorkersKVEntryParams{NamespaceID: string(ns), Key: key})
	if err != nil && !IsNotFound(err) {
		return fmt.Errorf("kv delete %s: %w", key, err)
	}
	return nil
}

// BulkDelete removes keys in one request.
func (c *Client) BulkDelete(ctx context.Context, ns Namespace, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	_, err := c.api.DeleteWorkersKVEntries(ctx, c.rc, cloudflare.DeleteWorkersKVEntriesParams{NamespaceID: string(ns), Keys: keys})
	return err
}

// Page returns one page of keys under prefix and the cursor of the next page
// ("" when there is none).
func (c *Client) Page(ctx context.Context, ns Namespace, prefix, cursor string, limit int) ([]cloudflare.StorageKey, string, error) {
	res, err := c.api.ListWorkersKVKeys(ctx, c.rc, cloudflare.ListWorkersKVsParams{
		NamespaceID: string(ns),
		Prefix:      prefix,
		Cursor:      cursor,
		Limit:       limit,
	})
	if err != nil {
		return nil, "", fmt.Errorf("kv list %s: %w", prefix, err)
	}
	return res.Result, res.Cursor, nil
}

// Mutate applies fn to the current value of key and stores the result.
// fn sees found == false when the key does not exist yet. Returning a nil
// slice leaves the key untouched.
func (c *Client) Mutate(ctx context.Context, ns Namespace, key string, fn func(old []byte, found bool) ([]byte, error)) error {
	old, found, err := c.Get(ctx, ns, key)
	if err != nil {
		return err
	}
	next, err := fn(old, found)
	if err != nil || next == nil {
		return err
	}
	return c.Put(ctx, ns, key, next) // EXPECT kvrace
}
