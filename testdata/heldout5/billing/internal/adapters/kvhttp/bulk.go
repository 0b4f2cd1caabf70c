package kvhttp

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"example.com/billing/internal/kvstore"
)

type bulkPair struct {
	Key           string         `json:"key"`
	Value         string         `json:"value"`
	Expiration    int64          `json:"expiration,omitempty"`
	ExpirationTTL int64          `json:"expiration_ttl,omitempty"`
	Metadata      map[string]any `json:"metadata,omitempty"`
}

const maxBulkPairs = 10_000

func (c *Client) putBulk(ctx context.Context, pairs []bulkPair) error {
	for start := 0; start < len(pairs); start += maxBulkPairs {
		end := min(start+maxBulkPairs, len(pairs))
		buf, err := json.Marshal(pairs[start:end])
		if err != nil {
			return err
		}
		res, err := c.send(ctx, http.MethodPut, c.nsURL("/bulk"), bytes.NewReader(buf), "application/json")
		if err != nil {
			return fmt.Errorf("kvhttp bulk: %w", err)
		}
		res.Body.Close()
	}
	return nil
}

// PutMany implements kvstore.BulkWriter.
func (c *Client) PutMany(ctx context.Context, entries []kvstore.BulkEntry) error {
	pairs := make([]bulkPair, len(entries))
	for i, e := range entries {
		pairs[i] = bulkPair{Key: e.Key, Value: e.Value, Expiration: e.Expiration, ExpirationTTL: e.ExpirationTTL, Metadata: e.Metadata}
	}
	return c.putBulk(ctx, pairs)
}

// Item is a convenience form of a bulk pair for Go callers.
type Item struct {
	Key   string
	Value []byte
	TTL   time.Duration
}

// WriteItems writes items in as few bulk requests as possible.
func (c *Client) WriteItems(ctx context.Context, items []Item) error {
	pairs := make([]bulkPair, 0, len(items))
	for _, it := range items {
		p := bulkPair{Key: it.Key, Value: string(it.Value)}
		if it.TTL > 0 {
			p.ExpirationTTL = int64(it.TTL) // EXPECT kvttl
		}
		pairs = append(pairs, p)
	}
	return c.putBulk(ctx, pairs)
}
