// Package legacykv wraps the v0 cloudflare-go Workers KV calls still used by
// the migration tooling. New code should use storage/cfkv.
package legacykv

import (
	"context"
	"errors"
	"fmt"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"
)

// ErrMissing is returned by Read for a key that does not exist.
var ErrMissing = errors.New("legacykv: key does not exist")

// Client talks to one account.
type Client struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
}

// New wraps api for account.
func New(api *cloudflare.API, account string) *Client {
	return &Client{api: api, rc: cloudflare.AccountIdentifier(account)}
}

// Read returns the value of key in ns.
func (c *Client) Read(ctx context.Context, ns, key string) ([]byte, error) {
	v, err := c.api.GetWorkersKV(ctx, c.rc, cloudflare.GetWorkersKVParams{NamespaceID: ns, Key: key})
	var nf *cloudflare.NotFoundError
	if errors.As(err, &nf) {
		return nil, fmt.Errorf("%s: %w", key, ErrMissing)
	}
	return v, err
}

// Write stores value under key with no expiry.
func (c *Client) Write(ctx context.Context, ns, key string, value []byte) error {
	_, err := c.api.WriteWorkersKVEntry(ctx, c.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: ns, Key: key, Value: value})
	return err
}

// Pair is one entry of a bulk write.
type Pair struct {
	Key, Value string
	TTL        time.Duration // relative expiry
	ExpiresAt  int64         // absolute expiry, Unix seconds
}

// BulkWrite sends pairs in a single request.
func (c *Client) BulkWrite(ctx context.Context, ns string, pairs []Pair) error {
	kvs := make([]*cloudflare.WorkersKVPair, 0, len(pairs))
	for _, p := range pairs {
		kvp := &cloudflare.WorkersKVPair{Key: p.Key, Value: p.Value}
		if p.TTL > 0 {
			kvp.ExpirationTTL = int(p.TTL.Seconds())
		} else if p.ExpiresAt > 0 {
			kvp.Expiration = int(p.ExpiresAt)
		}
		kvs = append(kvs, kvp)
	}
	_, err := c.api.WriteWorkersKVEntries(ctx, c.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: ns, KVs: kvs})
	return err
}

// ListPage returns one page of key names and the cursor for the next one.
func (c *Client) ListPage(ctx context.Context, ns, prefix, cursor string, limit int) ([]string, string, error) {
	res, err := c.api.ListWorkersKVKeys(ctx, c.rc, cloudflare.ListWorkersKVsParams{
		NamespaceID: ns, Prefix: prefix, Cursor: cursor, Limit: limit,
	})
	if err != nil {
		return nil, "", err
	}
	names := make([]string, len(res.Result))
	for i, k := range res.Result {
		names[i] = k.Name
	}
	return names, res.ResultInfo.Cursor, nil
}

// DeleteMany removes up to 10,000 keys.
func (c *Client) DeleteMany(ctx context.Context, ns string, keys []string) error {
	_, err := c.api.DeleteWorkersKVEntries(ctx, c.rc, cloudflare.DeleteWorkersKVEntriesParams{NamespaceID: ns, Keys: keys})
	return err
}
