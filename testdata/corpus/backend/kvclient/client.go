// Package kvclient is the backend's small KV client over the REST API.
package kvclient

import (
	"context"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"
)

// Client talks to one namespace.
type Client struct {
	api         *cloudflare.API
	account     *cloudflare.ResourceContainer
	namespaceID string
}

// New creates a client from an API token.
func New(token, accountID, namespaceID string) (*Client, error) {
	api, err := cloudflare.NewWithAPIToken(token)
	if err != nil {
		return nil, err
	}
	return &Client{api: api, account: cloudflare.AccountIdentifier(accountID), namespaceID: namespaceID}, nil
}

// Get returns the value under key.
func (c *Client) Get(ctx context.Context, key string) ([]byte, error) {
	return c.api.GetWorkersKV(ctx, c.account, cloudflare.GetWorkersKVParams{NamespaceID: c.namespaceID, Key: key})
}

// Put writes value under key; a zero ttl means no expiry.
func (c *Client) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	pair := &cloudflare.WorkersKVPair{Key: key, Value: string(value)}
	if ttl > 0 {
		pair.ExpirationTTL = int(ttl.Seconds())
	}
	_, err := c.api.WriteWorkersKVEntries(ctx, c.account, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: c.namespaceID,
		KVs:         []*cloudflare.WorkersKVPair{pair},
	})
	return err
}

// Delete removes key.
func (c *Client) Delete(ctx context.Context, key string) error {
	_, err := c.api.DeleteWorkersKVEntry(ctx, c.account, cloudflare.DeleteWorkersKVEntryParams{NamespaceID: c.namespaceID, Key: key})
	return err
}
