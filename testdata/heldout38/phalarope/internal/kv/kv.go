// Package kv is the team's thin adapter over the Workers KV REST API
// (cloudflare-go v0). It maps the SDK's 404 to ErrNotFound and gives the
// domain packages a small vocabulary: Namespace, Prefix, Writer and Record.
package kv

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cloudflare/cloudflare-go"
)

// ErrNotFound is returned when a key does not exist (or has expired).
var ErrNotFound = errors.New("kv: key not found")

// Client carries the API handle and the account the namespaces live in.
type Client struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
}

// NewClient binds api to accountID.
func NewClient(api *cloudflare.API, accountID string) *Client {
	return &Client{api: api, rc: cloudflare.AccountIdentifier(accountID)}
}

// API exposes the underlying SDK handle for the few call sites that need
// bulk operations the adapter does not wrap.
func (c *Client) API() *cloudflare.API { return c.api }

// Account returns the resource container for the bound account.
func (c *Client) Account() *cloudflare.ResourceContainer { return c.rc }

func mapErr(err error) error {
	if err == nil {
		return nil
	}
	var nf *cloudflare.NotFoundError
	if errors.As(err, &nf) {
		return fmt.Errorf("%w: %v", ErrNotFound, err)
	}
	return err
}

// Namespace is a KV namespace ID.
type Namespace string

// Get returns the value stored under key, or ErrNotFound.
func (ns Namespace) Get(ctx context.Context, c *Client, key string) ([]byte, error) {
	v, err := c.api.GetWorkersKV(ctx, c.rc, cloudflare.GetWorkersKVParams{NamespaceID: string(ns), Key: key})
	if err != nil {
		return nil, mapErr(err)
	}
	return v, nil
}

// putValue is the single write path of the adapter; tests replace it with an
// in-memory recorder.
var putValue = realPut

func realPut(ctx context.Context, c *Client, ns Namespace, key string, value []byte, ttl time.Duration) error {
	if ttl <= 0 {
		_, err := c.api.WriteWorkersKVEntry(ctx, c.rc, cloudflare.WriteWorkersKVEntryParams{
			NamespaceID: string(ns),
			Key:         key,
			Value:       value,
		})
		return err
	}
	// The single-value endpoint in v0 takes no expiry, so expiring writes go
	// through the bulk endpoint with one pair.
	_, err := c.api.WriteWorkersKVEntries(ctx, c.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: string(ns),
		KVs: []*cloudflare.WorkersKVPair{{
			Key:           key,
			Value:         string(value),
			ExpirationTTL: int(ttl.Seconds()),
		}},
	})
	return err
}

// Put stores value under key with no expiry.
func (ns Namespace) Put(ctx context.Context, c *Client, key string, value []byte) error {
	return putValue(ctx, c, ns, key, value, 0)
}

// PutTTL stores value under key for ttl.
func (ns Namespace) PutTTL(ctx context.Context, c *Client, key string, value []byte, ttl time.Duration) error {
	return putValue(ctx, c, ns, key, value, ttl)
}

// PutCache stores a cache entry. Cache lifetimes come from upstream headers
// and configuration, so they are floored at the KV minimum here.
func (ns Namespace) PutCache(ctx context.Context, c *Client, key string, value []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return putValue(ctx, c, ns, key, value, ttl)
}

// Delete removes key. Deleting a missing key is not an error.
func (ns Namespace) Delete(ctx context.Context, c *Client, key string) error {
	_, err := c.api.DeleteWorkersKVEntry(ctx, c.rc, cloudflare.DeleteWorkersKVEntryParams{NamespaceID: string(ns), Key: key})
	if errors.Is(mapErr(err), ErrNotFound) {
		return nil
	}
	return err
}

// maxBulk is the most pairs or keys the bulk endpoints accept per request.
const maxBulk = 10_000

// DeleteKeys removes keys in batches the bulk endpoint accepts.
func (ns Namespace) DeleteKeys(ctx context.Context, c *Client, keys []string) error {
	for len(keys) > 0 {
		n := len(keys)
		if n > maxBulk {
			n = maxBulk
		}
		if _, err := c.api.DeleteWorkersKVEntries(ctx, c.rc, cloudflare.DeleteWorkersKVEntriesParams{
			NamespaceID: string(ns),
			Keys:        keys[:n],
		}); err != nil {
			return err
		}
		keys = keys[n:]
	}
	return nil
}

// PutMany writes pairs in batches the bulk endpoint accepts.
func (ns Namespace) PutMany(ctx context.Context, c *Client, pairs []*cloudflare.WorkersKVPair) error {
	for start := 0; start < len(pairs); start += maxBulk {
		end := min(start+maxBulk, len(pairs))
		if _, err := c.api.WriteWorkersKVEntries(ctx, c.rc, cloudflare.WriteWorkersKVEntriesParams{
			NamespaceID: string(ns),
			KVs:         pairs[start:end],
		}); err != nil {
			return fmt.Errorf("bulk write %d..%d: %w", start, end, err)
		}
	}
	return nil
}

// Page returns one page of keys under prefix and the cursor for the next
// page ("" when there is none). Callers decide whether to continue.
func (ns Namespace) Page(ctx context.Context, c *Client, prefix, cursor string, limit int) ([]cloudflare.StorageKey, string, error) {
	resp, err := c.api.ListWorkersKVKeys(ctx, c.rc, cloudflare.ListWorkersKVsParams{
		NamespaceID: string(ns),
		Prefix:      prefix,
		Cursor:      cursor,
		Limit:       limit,
	})
	if err != nil {
		return nil, "", err
	}
	return resp.Result, resp.Cursor, nil
}

// Writer is any function that can store a value under a key for a lifetime.
type Writer func(ctx context.Context, key string, value []byte, ttl time.Duration) error

// Writer returns a Writer bound to ns.
func (ns Namespace) Writer(c *Client) Writer {
	return func(ctx context.Context, key string, value []byte, ttl time.Duration) error {
		return putValue(ctx, c, ns, key, value, ttl)
	}
}

// JSON encodes v and writes it.
func (w Writer) JSON(ctx context.Context, key string, v any, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	return w(ctx, key, b, ttl)
}

// Text writes s.
func (w Writer) Text(ctx context.Context, key, s string, ttl time.Duration) error {
	return w(ctx, key, []byte(s), ttl)
}
