// Package kvstore is the registry's adapter over Cloudflare Workers KV
// (REST API, cloudflare-go v0). Everything else in the service talks to KV
// through the types in this package.
package kvstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go"
)

// Namespace is a Workers KV namespace ID.
type Namespace string

// Namespaces used by the registry. IDs come from the environment at start-up.
type Namespaces struct {
	Meta     Namespace // package metadata cache
	Auth     Namespace // publish tokens, sessions, 2FA codes
	Counters Namespace // download statistics
	Index    Namespace // yanked versions, ownership, mirror state
}

// ErrNotFound is returned by Get when the key does not exist.
var ErrNotFound = errors.New("kvstore: key not found")

// Client wraps a cloudflare-go API handle bound to one account.
type Client struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	log *slog.Logger
}

// New returns a client for the given account.
func New(api *cloudflare.API, accountID string) *Client {
	return &Client{api: api, rc: cloudflare.AccountIdentifier(accountID), log: slog.Default()}
}

var (
	defaultOnce   sync.Once
	defaultClient *Client
	defaultErr    error
)

// Default returns the process-wide client built from CF_API_TOKEN and
// CF_ACCOUNT_ID. It is created on first use.
func Default() (*Client, error) {
	defaultOnce.Do(func() {
		api, err := cloudflare.NewWithAPIToken(os.Getenv("CF_API_TOKEN"))
		if err != nil {
			defaultErr = fmt.Errorf("kvstore: %w", err)
			return
		}
		defaultClient = New(api, os.Getenv("CF_ACCOUNT_ID"))
	})
	return defaultClient, defaultErr
}

// writeEntry performs a single PUT of a value with no expiration. It is a
// variable so tests can capture writes.
var writeEntry = func(ctx context.Context, api *cloudflare.API, rc *cloudflare.ResourceContainer, ns Namespace, key string, value []byte) error {
	_, err := api.WriteWorkersKVEntry(ctx, rc, cloudflare.WriteWorkersKVEntryParams{
		NamespaceID: string(ns),
		Key:         key,
		Value:       value,
	})
	return err
}

// writePairs performs a bulk PUT. The REST API only accepts an expiration on
// the bulk endpoint, so single writes with a TTL also go through here.
var writePairs = func(ctx context.Context, api *cloudflare.API, rc *cloudflare.ResourceContainer, ns Namespace, pairs []*cloudflare.WorkersKVPair) error {
	_, err := api.WriteWorkersKVEntries(ctx, rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: string(ns),
		KVs:         pairs,
	})
	return err
}

// Get reads a value. A missing key is reported as ErrNotFound.
func (c *Client) Get(ctx context.Context, ns Namespace, key string) ([]byte, error) {
	raw, err := c.api.GetWorkersKV(ctx, c.rc, cloudflare.GetWorkersKVParams{NamespaceID: string(ns), Key: key})
	if err != nil {
		var nf *cloudflare.NotFoundError
		if errors.As(err, &nf) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("kv get %s: %w", key, err)
	}
	return raw, nil
}

// GetRaw reads a value and returns the SDK error unchanged.
func (c *Client) GetRaw(ctx context.Context, ns Namespace, key string) ([]byte, error) {
	return c.api.GetWorkersKV(ctx, c.rc, cloudflare.GetWorkersKVParams{NamespaceID: string(ns), Key: key})
}

// Put writes a value. A ttl of zero stores the value without expiration.
func (c *Client) Put(ctx context.Context, ns Namespace, key string, value []byte, ttl time.Duration) error {
	if ttl <= 0 {
		return writeEntry(ctx, c.api, c.rc, ns, key, value)
	}
	return writePairs(ctx, c.api, c.rc, ns, []*cloudflare.WorkersKVPair{{
		Key:           key,
		Value:         string(value),
		ExpirationTTL: int(ttl.Seconds()),
	}})
}

// PutCache writes a cache entry. Lifetimes under a minute are raised to the
// KV minimum so callers can pass whatever the origin told them.
func (c *Client) PutCache(ctx context.Context, ns Namespace, key string, value []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return c.Put(ctx, ns, key, value, ttl)
}

// PutMany writes pairs with the bulk endpoint, 10,000 at a time.
func (c *Client) PutMany(ctx context.Context, ns Namespace, pairs []*cloudflare.WorkersKVPair) error {
	const maxBulk = 10_000
	for start := 0; start < len(pairs); start += maxBulk {
		end := min(start+maxBulk, len(pairs))
		if err := writePairs(ctx, c.api, c.rc, ns, pairs[start:end]); err != nil {
			return fmt.Errorf("bulk write [%d:%d]: %w", start, end, err)
		}
	}
	return nil
}

// Delete removes a key.
func (c *Client) Delete(ctx context.Context, ns Namespace, key string) error {
	_, err := c.api.DeleteWorkersKVEntry(ctx, c.rc, cloudflare.DeleteWorkersKVEntryParams{NamespaceID: string(ns), Key: key})
	return err
}

// Page is one page of a key listing.
type Page struct {
	Keys   []cloudflare.StorageKey
	Cursor string // empty when the listing is complete
}

// ListPage returns one page of keys under prefix, starting at cursor.
func (c *Client) ListPage(ctx context.Context, ns Namespace, prefix, cursor string, limit int) (Page, error) {
	resp, err := c.api.ListWorkersKVKeys(ctx, c.rc, cloudflare.ListWorkersKVsParams{
		NamespaceID: string(ns),
		Prefix:      prefix,
		Cursor:      cursor,
		Limit:       min(max(limit, 10), 1000),
	})
	if err != nil {
		return Page{}, err
	}
	return Page{Keys: resp.Result, Cursor: resp.Cursor}, nil
}

// ListKeys collects key names under prefix, reading at most maxPages pages.
// The returned cursor is non-empty when the budget ran out first.
func (c *Client) ListKeys(ctx context.Context, ns Namespace, prefix string, maxPages int) ([]string, string, error) {
	var names []string
	cursor := ""
	for page := 0; page < maxPages; page++ {
		p, err := c.ListPage(ctx, ns, prefix, cursor, 1000)
		if err != nil {
			return names, cursor, err
		}
		for _, k := range p.Keys {
			names = append(names, k.Name)
		}
		cursor = p.Cursor
		if cursor == "" {
			return names, "", nil
		}
	}
	return names, cursor, nil
}

// retry runs op with exponential backoff while ctx is alive.
func retry(ctx context.Context, attempts int, op func() error) error {
	backoff := 200 * time.Millisecond
	var err error
	for i := 0; i < attempts; i++ {
		if err = op(); err == nil {
			return nil
		}
		jitter := time.Duration(rand.Int64N(int64(backoff / 2)))
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(backoff + jitter):
		}
		backoff = min(backoff*2, 5*time.Second)
	}
	return err
}

// PutRetry is Put with retries on transient failures.
func (c *Client) PutRetry(ctx context.Context, ns Namespace, key string, value []byte, ttl time.Duration) error {
	return retry(ctx, 4, func() error {
		return c.Put(ctx, ns, key, value, ttl)
	})
}
