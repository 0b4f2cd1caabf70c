// Package kvstore is the backend's thin adapter over the Cloudflare REST API
// for Workers KV. It hides the account resource container and the namespace
// IDs, and maps the SDK's 404 into ErrNotFound.
package kvstore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/cloudflare/cloudflare-go"
)

// ErrNotFound is returned by Get when the key does not exist.
var ErrNotFound = errors.New("kvstore: key not found")

// Namespace names a KV namespace by its role in the service.
type Namespace string

const (
	Orders     Namespace = "orders"
	Couriers   Namespace = "couriers"
	Zones      Namespace = "zones"
	Sessions   Namespace = "sessions"
	Settlement Namespace = "settlement"
	Throttles  Namespace = "throttles"
)

// Client is the backend's KV handle. It embeds the SDK client so callers that
// need an unusual endpoint can still reach it.
type Client struct {
	*cloudflare.API
	account *cloudflare.ResourceContainer
	ids     map[Namespace]string
}

// FromEnv builds a Client from CF_API_TOKEN, CF_ACCOUNT_ID and one
// KV_NS_<NAME> variable per namespace.
func FromEnv() (*Client, error) {
	api, err := cloudflare.NewWithAPIToken(os.Getenv("CF_API_TOKEN"))
	if err != nil {
		return nil, fmt.Errorf("kvstore: %w", err)
	}
	ids := map[Namespace]string{}
	for _, ns := range []Namespace{Orders, Couriers, Zones, Sessions, Settlement, Throttles} {
		ids[ns] = os.Getenv("KV_NS_" + upper(string(ns)))
	}
	return &Client{API: api, account: cloudflare.AccountIdentifier(os.Getenv("CF_ACCOUNT_ID")), ids: ids}, nil
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 32
		}
	}
	return string(b)
}

// ID returns the namespace ID for ns.
func (c *Client) ID(ns Namespace) string { return c.ids[ns] }

// RC returns the account resource container.
func (c *Client) RC() *cloudflare.ResourceContainer { return c.account }

// Get reads one value. A missing key is reported as ErrNotFound.
func (c *Client) Get(ctx context.Context, ns Namespace, key string) ([]byte, error) {
	raw, err := c.GetWorkersKV(ctx, c.account, cloudflare.GetWorkersKVParams{NamespaceID: c.ids[ns], Key: key})
	if err != nil {
		var nf *cloudflare.NotFoundError
		if errors.As(err, &nf) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("kv get %s/%s: %w", ns, key, err)
	}
	return raw, nil
}

// Put writes one value with no expiration.
func (c *Client) Put(ctx context.Context, ns Namespace, key string, val []byte) error {
	_, err := c.WriteWorkersKVEntry(ctx, c.account, cloudflare.WriteWorkersKVEntryParams{
		NamespaceID: c.ids[ns],
		Key:         key,
		Value:       val,
	})
	return err
}

// PutTTL writes one value that expires after ttl. The single-value endpoint
// of the v0 SDK takes no expiration, so this goes through the bulk endpoint
// with one pair.
func (c *Client) PutTTL(ctx context.Context, ns Namespace, key string, val []byte, ttl time.Duration) error {
	_, err := c.WriteWorkersKVEntries(ctx, c.account, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: c.ids[ns],
		KVs: []*cloudflare.WorkersKVPair{{
			Key:           key,
			Value:         string(val),
			ExpirationTTL: int(ttl.Seconds()),
		}},
	})
	return err
}

// PutCached writes a cache entry. Cache lifetimes come from config and are
// raised to the KV floor so a small setting cannot break writes.
func (c *Client) PutCached(ctx context.Context, ns Namespace, key string, val []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return c.PutTTL(ctx, ns, key, val, ttl)
}

// PutUntil writes one value that expires at the absolute time at.
func (c *Client) PutUntil(ctx context.Context, ns Namespace, key string, val []byte, at time.Time) error {
	_, err := c.WriteWorkersKVEntries(ctx, c.account, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: c.ids[ns],
		KVs:         []*cloudflare.WorkersKVPair{{Key: key, Value: string(val), Expiration: int(at.Unix())}},
	})
	return err
}

// PutMany writes pairs with the bulk endpoint.
func (c *Client) PutMany(ctx context.Context, ns Namespace, pairs []*cloudflare.WorkersKVPair) error {
	_, err := c.WriteWorkersKVEntries(ctx, c.account, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: c.ids[ns], KVs: pairs})
	return err
}

// Delete removes one key.
func (c *Client) Delete(ctx context.Context, ns Namespace, key string) error {
	_, err := c.DeleteWorkersKVEntry(ctx, c.account, cloudflare.DeleteWorkersKVEntryParams{NamespaceID: c.ids[ns], Key: key})
	return err
}

// DeleteMany removes keys with the bulk endpoint.
func (c *Client) DeleteMany(ctx context.Context, ns Namespace, keys []string) error {
	_, err := c.DeleteWorkersKVEntries(ctx, c.account, cloudflare.DeleteWorkersKVEntriesParams{NamespaceID: c.ids[ns], Keys: keys})
	return err
}

// Page is one page of a key listing.
type Page struct {
	Keys   []cloudflare.StorageKey
	Cursor string
}

// ListPage returns one page of keys under prefix, starting at cursor.
func (c *Client) ListPage(ctx context.Context, ns Namespace, prefix, cursor string, limit int) (Page, error) {
	resp, err := c.ListWorkersKVKeys(ctx, c.account, cloudflare.ListWorkersKVsParams{
		NamespaceID: c.ids[ns],
		Prefix:      prefix,
		Cursor:      cursor,
		Limit:       limit,
	})
	if err != nil {
		return Page{}, err
	}
	return Page{Keys: resp.Result, Cursor: resp.Cursor}, nil
}

// Update applies fn to the current value of key and writes the result back.
// A missing key is passed to fn as nil.
func (c *Client) Update(ctx context.Context, ns Namespace, key string, fn func(old []byte) ([]byte, error)) error {
	old, err := c.Get(ctx, ns, key)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	next, err := fn(old)
	if err != nil {
		return err
	}
	return c.Put(ctx, ns, key, next) // EXPECT kvrace
}
