// Package kvstore is the thin adapter the backend uses to reach Workers KV
// through cloudflare-go. It exists mainly to translate 404s into a typed
// error and to express TTLs as time.Duration.
package kvstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"
)

// NotFoundError reports a key that does not exist in the namespace.
type NotFoundError struct {
	Key       string
	Namespace string
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("kv: key %q not found in namespace %s", e.Key, e.Namespace)
}

// ThrottledError reports a 429 from the API.
type ThrottledError struct {
	Key   string
	Retry time.Duration
}

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("kv: write to %q throttled, retry in %s", e.Key, e.Retry)
}

// Client talks to one namespace of one account.
type Client struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	ns  string
}

// New returns a Client for namespace ns in account accountID.
func New(api *cloudflare.API, accountID, ns string) *Client {
	return &Client{api: api, rc: cloudflare.AccountIdentifier(accountID), ns: ns}
}

// Namespace returns the namespace ID the client writes to.
func (c *Client) Namespace() string { return c.ns }

// API exposes the underlying SDK client for jobs that need list and bulk calls.
func (c *Client) API() (*cloudflare.API, *cloudflare.ResourceContainer) { return c.api, c.rc }

func (c *Client) translate(key string, err error) error {
	if err == nil {
		return nil
	}
	var nf *cloudflare.NotFoundError
	if errors.As(err, &nf) {
		return &NotFoundError{Key: key, Namespace: c.ns}
	}
	var rl *cloudflare.RatelimitError
	if errors.As(err, &rl) {
		return &ThrottledError{Key: key, Retry: time.Second}
	}
	return fmt.Errorf("kv %s: %w", key, err)
}

// Get returns the raw value under key, or a *NotFoundError.
func (c *Client) Get(ctx context.Context, key string) ([]byte, error) {
	raw, err := c.api.GetWorkersKV(ctx, c.rc, cloudflare.GetWorkersKVParams{NamespaceID: c.ns, Key: key})
	if err != nil {
		return nil, c.translate(key, err)
	}
	return raw, nil
}

// Put writes value under key with no expiration.
func (c *Client) Put(ctx context.Context, key string, value []byte) error {
	_, err := c.api.WriteWorkersKVEntry(ctx, c.rc, cloudflare.WriteWorkersKVEntryParams{
		NamespaceID: c.ns,
		Key:         key,
		Value:       value,
	})
	return c.translate(key, err)
}

// PutWithTTL writes value under key and lets it expire after ttl.
func (c *Client) PutWithTTL(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	pair := &cloudflare.WorkersKVPair{
		Key:           key,
		Value:         string(value),
		ExpirationTTL: int(ttl.Seconds()),
	}
	_, err := c.api.WriteWorkersKVEntries(ctx, c.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: c.ns,
		KVs:         []*cloudflare.WorkersKVPair{pair},
	})
	return c.translate(key, err)
}

// PutCached writes a cache entry. Entries live at least a minute, which is
// the shortest lifetime KV accepts.
func (c *Client) PutCached(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return c.PutWithTTL(ctx, key, value, ttl)
}

// PutMeta writes value with metadata and an absolute expiry (unix seconds,
// zero for none).
func (c *Client) PutMeta(ctx context.Context, key string, value []byte, meta any, expiresAt int64) error {
	pair := &cloudflare.WorkersKVPair{Key: key, Value: string(value), Metadata: meta}
	if expiresAt > 0 {
		pair.Expiration = int(expiresAt)
	}
	_, err := c.api.WriteWorkersKVEntries(ctx, c.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: c.ns,
		KVs:         []*cloudflare.WorkersKVPair{pair},
	})
	return c.translate(key, err)
}

// Delete removes key. Deleting a missing key is not an error.
func (c *Client) Delete(ctx context.Context, key string) error {
	_, err := c.api.DeleteWorkersKVEntry(ctx, c.rc, cloudflare.DeleteWorkersKVEntryParams{NamespaceID: c.ns, Key: key})
	err = c.translate(key, err)
	var nf *NotFoundError
	if errors.As(err, &nf) {
		return nil
	}
	return err
}

// ListPage returns one page of keys under prefix and the cursor for the next
// page ("" when there is none).
func (c *Client) ListPage(ctx context.Context, prefix, cursor string, limit int) ([]cloudflare.StorageKey, string, error) {
	resp, err := c.api.ListWorkersKVKeys(ctx, c.rc, cloudflare.ListWorkersKVsParams{
		NamespaceID: c.ns,
		Prefix:      prefix,
		Cursor:      cursor,
		Limit:       limit,
	})
	if err != nil {
		return nil, "", c.translate(prefix, err)
	}
	return resp.Result, resp.Cursor, nil
}

// IsNotFound reports whether err is a *NotFoundError.
func IsNotFound(err error) bool {
	var nf *NotFoundError
	return errors.As(err, &nf)
}
