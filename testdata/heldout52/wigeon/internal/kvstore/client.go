// Package kvstore is the portal's thin adapter over the cloudflare-go v0
// Workers KV API. All KV traffic of portald goes through a *Client.
package kvstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"wigeon/internal/metrics"
)

// MaxBulk is the number of pairs the bulk endpoint accepts per request.
const MaxBulk = 10000

// Client reads and writes one namespace.
type Client struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	ns  string
	rec *metrics.Recorder
}

// New returns a Client for namespace ns of account accountID.
func New(api *cloudflare.API, accountID, ns string, rec *metrics.Recorder) *Client {
	return &Client{api: api, rc: cloudflare.AccountIdentifier(accountID), ns: ns, rec: rec}
}

func (c *Client) observe(op string, start time.Time) {
	c.rec.Observe(c.ns, op, time.Since(start))
}

// Get returns the value stored under key, or a *NotFoundError.
func (c *Client) Get(ctx context.Context, key string) ([]byte, error) {
	defer c.observe("get", time.Now())
	raw, err := c.api.GetWorkersKV(ctx, c.rc, cloudflare.GetWorkersKVParams{NamespaceID: c.ns, Key: key})
	if err != nil {
		return nil, mapErr(key, err)
	}
	return raw, nil
}

// Put stores val under key with no expiration.
func (c *Client) Put(ctx context.Context, key string, val []byte) error {
	defer c.observe("put", time.Now())
	_, err := c.api.WriteWorkersKVEntry(ctx, c.rc, cloudflare.WriteWorkersKVEntryParams{
		NamespaceID: c.ns,
		Key:         key,
		Value:       val,
	})
	return mapErr(key, err)
}

// PutTTL stores val under key for ttl. The single-value endpoint of the v0
// SDK takes no expiration, so this goes through the bulk endpoint.
func (c *Client) PutTTL(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	defer c.observe("put", time.Now())
	_, err := c.api.WriteWorkersKVEntries(ctx, c.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: c.ns,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:           key,
			Value:         string(val),
			ExpirationTTL: int(ttl.Seconds()),
		}},
	})
	return mapErr(key, err)
}

// PutUntil stores val under key until the absolute time at.
func (c *Client) PutUntil(ctx context.Context, key string, val []byte, at time.Time) error {
	defer c.observe("put", time.Now())
	_, err := c.api.WriteWorkersKVEntries(ctx, c.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: c.ns,
		KVs:         []*cloudflare.WorkersKVPair{{Key: key, Value: string(val), Expiration: int(at.Unix())}},
	})
	return mapErr(key, err)
}

// PutPairs writes pairs in requests of at most MaxBulk pairs and returns the
// errors of all failed batches joined.
func (c *Client) PutPairs(ctx context.Context, pairs []*cloudflare.WorkersKVPair) error {
	defer c.observe("bulk_put", time.Now())
	var errs []error
	for start := 0; start < len(pairs); start += MaxBulk {
		end := min(start+MaxBulk, len(pairs))
		_, err := c.api.WriteWorkersKVEntries(ctx, c.rc, cloudflare.WriteWorkersKVEntriesParams{
			NamespaceID: c.ns,
			KVs:         pairs[start:end],
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("batch %d-%d: %w", start, end, err))
		}
	}
	return errors.Join(errs...)
}

// Delete removes key. Deleting a missing key is not an error.
func (c *Client) Delete(ctx context.Context, key string) error {
	defer c.observe("delete", time.Now())
	_, err := c.api.DeleteWorkersKVEntry(ctx, c.rc, cloudflare.DeleteWorkersKVEntryParams{NamespaceID: c.ns, Key: key})
	if err = mapErr(key, err); IsNotFound(err) {
		return nil
	}
	return err
}

// DeleteMany removes keys in one request per MaxBulk keys.
func (c *Client) DeleteMany(ctx context.Context, keys []string) error {
	defer c.observe("bulk_delete", time.Now())
	var errs []error
	for start := 0; start < len(keys); start += MaxBulk {
		end := min(start+MaxBulk, len(keys))
		if _, err := c.api.DeleteWorkersKVEntries(ctx, c.rc, cloudflare.DeleteWorkersKVEntriesParams{
			NamespaceID: c.ns,
			Keys:        keys[start:end],
		}); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Page is one page of a key listing.
type Page struct {
	Keys   []cloudflare.StorageKey
	Cursor string // "" when the listing is complete
}

// List returns one page of keys under prefix starting at cursor.
func (c *Client) List(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	defer c.observe("list", time.Now())
	resp, err := c.api.ListWorkersKVKeys(ctx, c.rc, cloudflare.ListWorkersKVsParams{
		NamespaceID: c.ns,
		Prefix:      prefix,
		Cursor:      cursor,
		Limit:       limit,
	})
	if err != nil {
		return Page{}, mapErr(prefix, err)
	}
	return Page{Keys: resp.Result, Cursor: resp.ResultInfo.Cursor}, nil
}

// Scan lists keys under prefix, at most maxPages pages of up to 1000 keys,
// and calls fn for each key. It returns the cursor to resume from, or "" if
// the listing was exhausted.
func (c *Client) Scan(ctx context.Context, prefix string, maxPages int, fn func(cloudflare.StorageKey) error) (string, error) {
	cursor := ""
	for page := 0; page < maxPages; page++ {
		p, err := c.List(ctx, prefix, cursor, 1000)
		if err != nil {
			return cursor, err
		}
		for _, k := range p.Keys {
			if err := fn(k); err != nil {
				return cursor, err
			}
		}
		if p.Cursor == "" {
			return "", nil
		}
		cursor = p.Cursor
	}
	return cursor, nil
}
