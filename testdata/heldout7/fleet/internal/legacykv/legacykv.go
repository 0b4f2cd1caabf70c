// Package legacykv is the thin KV client the operator CLI has used since
// before the daemon moved to the v4 SDK. It wraps cloudflare-go v0.
package legacykv

import (
	"context"
	"errors"
	"fmt"

	"github.com/cloudflare/cloudflare-go"
)

// maxPairs is the bulk endpoint's per-request limit.
const maxPairs = 10000

// Client is bound to one namespace of one account.
type Client struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	ns  string
}

// New returns a Client.
func New(api *cloudflare.API, accountID, namespaceID string) *Client {
	return &Client{api: api, rc: cloudflare.AccountIdentifier(accountID), ns: namespaceID}
}

// API exposes the underlying client for commands that need calls the
// wrapper does not cover.
func (c *Client) API() (*cloudflare.API, *cloudflare.ResourceContainer, string) {
	return c.api, c.rc, c.ns
}

// IsNotFound reports whether err is a 404 from the KV API.
func IsNotFound(err error) bool {
	var nf *cloudflare.NotFoundError
	return errors.As(err, &nf)
}

// Read returns the value of key.
func (c *Client) Read(ctx context.Context, key string) ([]byte, error) {
	return c.api.GetWorkersKV(ctx, c.rc, cloudflare.GetWorkersKVParams{NamespaceID: c.ns, Key: key})
}

// Write stores value under key.
func (c *Client) Write(ctx context.Context, key string, value []byte) error {
	_, err := c.api.WriteWorkersKVEntry(ctx, c.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: c.ns, Key: key, Value: value})
	return err
}

// Remove deletes key.
func (c *Client) Remove(ctx context.Context, key string) error {
	_, err := c.api.DeleteWorkersKVEntry(ctx, c.rc, cloudflare.DeleteWorkersKVEntryParams{NamespaceID: c.ns, Key: key})
	return err
}

// WriteBatch writes pairs, splitting them into requests the API accepts.
func (c *Client) WriteBatch(ctx context.Context, pairs []*cloudflare.WorkersKVPair) error {
	for start := 0; start < len(pairs); start += maxPairs {
		end := min(start+maxPairs, len(pairs))
		if _, err := c.api.WriteWorkersKVEntries(ctx, c.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: c.ns, KVs: pairs[start:end]}); err != nil {
			return fmt.Errorf("bulk write [%d:%d]: %w", start, end, err)
		}
	}
	return nil
}

// Keys returns one page of keys under prefix and the cursor of the next page
// ("" on the last page).
func (c *Client) Keys(ctx context.Context, prefix, cursor string, limit int) ([]cloudflare.StorageKey, string, error) {
	resp, err := c.api.ListWorkersKVKeys(ctx, c.rc, cloudflare.ListWorkersKVsParams{
		NamespaceID: c.ns,
		Prefix:      prefix,
		Cursor:      cursor,
		Limit:       limit,
	})
	if err != nil {
		return nil, "", err
	}
	return resp.Result, resp.Cursor, nil
}
