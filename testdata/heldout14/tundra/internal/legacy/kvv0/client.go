// Package kvv0 is the original KV access layer, written against the v0 REST
// client before the generated SDK existed. The partner OAuth bridge and the
// audit trail still use it; new code should use storage/cfkv.
package kvv0

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"
)

// Client is one namespace on the v0 API.
type Client struct {
	API       *cloudflare.API
	Account   *cloudflare.ResourceContainer
	Namespace string
}

// New builds a client from a global API key.
func New(apiKey, email, accountID, namespace string) (*Client, error) {
	api, err := cloudflare.New(apiKey, email, cloudflare.UsingRetryPolicy(3, 1, 10))
	if err != nil {
		return nil, err
	}
	return &Client{API: api, Account: cloudflare.AccountIdentifier(accountID), Namespace: namespace}, nil
}

// IsNotFound reports whether err is the API's 404.
func IsNotFound(err error) bool {
	var nf *cloudflare.NotFoundError
	return errors.As(err, &nf)
}

// Get reads a key.
func (c *Client) Get(ctx context.Context, key string) ([]byte, error) {
	return c.API.GetWorkersKV(ctx, c.Account, cloudflare.GetWorkersKVParams{NamespaceID: c.Namespace, Key: key})
}

// Read is Get for callers that treat any failure as "no value".
func (c *Client) Read(ctx context.Context, key string) []byte {
	v, err := c.Get(ctx, key)
	if err != nil {
		return nil
	}
	return v
}

// Put writes a key that never expires.
func (c *Client) Put(ctx context.Context, key string, value []byte) error {
	_, err := c.API.WriteWorkersKVEntry(ctx, c.Account, cloudflare.WriteWorkersKVEntryParams{
		NamespaceID: c.Namespace, Key: key, Value: value,
	})
	return err
}

// PutTTL writes a key that expires after ttlSeconds. The single-key endpoint
// of this client version takes no options, so it goes through bulk.
func (c *Client) PutTTL(ctx context.Context, key string, value []byte, ttlSeconds int) error {
	_, err := c.API.WriteWorkersKVEntries(ctx, c.Account, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: c.Namespace,
		KVs:         []*cloudflare.WorkersKVPair{{Key: key, Value: string(value), ExpirationTTL: ttlSeconds}},
	})
	return err
}

// AppendAudit adds a line to the partner's audit trail.
func (c *Client) AppendAudit(ctx context.Context, partnerID, actor, action string) error {
	key := "audit:" + partnerID
	trail, err := c.API.GetWorkersKV(ctx, c.Account, cloudflare.GetWorkersKVParams{NamespaceID: c.Namespace, Key: key})
	if err != nil && !IsNotFound(err) {
		return err
	}
	line := fmt.Sprintf("%s\t%s\t%s\n", time.Now().UTC().Format(time.RFC3339), actor, action)
	_, err = c.API.WriteWorkersKVEntry(ctx, c.Account, cloudflare.WriteWorkersKVEntryParams{ // EXPECT kvrace
		NamespaceID: c.Namespace,
		Key:         key,
		Value:       append(trail, line...),
	})
	return err
}

// ScanPrefix returns up to maxPages pages of key names under prefix.
func (c *Client) ScanPrefix(ctx context.Context, prefix string, maxPages int) ([]string, error) {
	var names []string
	params := cloudflare.ListWorkersKVsParams{NamespaceID: c.Namespace, Prefix: prefix, Limit: 1000}
	for page := 0; page < maxPages; page++ {
		resp, err := c.API.ListWorkersKVKeys(ctx, c.Account, params) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range resp.Result {
			names = append(names, k.Name)
		}
		if resp.Cursor == "" {
			return names, nil
		}
		params = cloudflare.ListWorkersKVsParams{NamespaceID: c.Namespace, Cursor: resp.Cursor, Limit: 1000}
	}
	return names, nil
}

// Preview returns the first few keys under prefix for the support console,
// and the cursor to fetch more.
func (c *Client) Preview(ctx context.Context, prefix, cursor string) ([]string, string, error) {
	resp, err := c.API.ListWorkersKVKeys(ctx, c.Account, cloudflare.ListWorkersKVsParams{
		NamespaceID: c.Namespace,
		Prefix:      prefix,
		Cursor:      cursor,
		Limit:       5, // EXPECT kvlimits
	})
	if err != nil {
		return nil, "", err
	}
	out := make([]string, 0, len(resp.Result))
	for _, k := range resp.Result {
		out = append(out, strings.TrimPrefix(k.Name, prefix))
	}
	return out, resp.Cursor, nil
}
