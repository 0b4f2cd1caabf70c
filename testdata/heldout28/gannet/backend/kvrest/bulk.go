package kvrest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// MaxBulk is the most pairs the bulk endpoint accepts per request.
const MaxBulk = 10000

// BulkItem is one pair of a bulk write.
type BulkItem struct {
	Key           string         `json:"key"`
	Value         string         `json:"value"`
	Base64        bool           `json:"base64,omitempty"`
	Expiration    int64          `json:"expiration,omitempty"`
	ExpirationTTL int64          `json:"expiration_ttl,omitempty"`
	Metadata      map[string]any `json:"metadata,omitempty"`
}

type bulkResult struct {
	Success bool `json:"success"`
	Result  struct {
		SuccessfulKeyCount int      `json:"successful_key_count"`
		UnsuccessfulKeys   []string `json:"unsuccessful_keys"`
	} `json:"result"`
}

// BulkWrite writes items in requests of at most MaxBulk pairs and returns
// the keys the API reported as not written.
func (c *Client) BulkWrite(ctx context.Context, items []BulkItem) ([]string, error) {
	u, err := c.nsURL("/bulk")
	if err != nil {
		return nil, err
	}
	var failed []string
	for start := 0; start < len(items); start += MaxBulk {
		end := min(start+MaxBulk, len(items))
		body, err := json.Marshal(items[start:end])
		if err != nil {
			return failed, err
		}
		b, err := c.do(ctx, http.MethodPut, u, bytes.NewReader(body), "application/json")
		if err != nil {
			return failed, fmt.Errorf("kvrest: bulk %d-%d: %w", start, end, err)
		}
		var res bulkResult
		if err := json.Unmarshal(b, &res); err != nil {
			return failed, err
		}
		failed = append(failed, res.Result.UnsuccessfulKeys...)
	}
	return failed, nil
}

// Scan visits the keys under prefix, at most maxPages pages, and returns
// the cursor to resume from (empty once the listing is complete).
func (c *Client) Scan(ctx context.Context, prefix string, maxPages int, fn func(Key) error) (string, error) {
	cursor := ""
	for page := 0; page < maxPages; page++ {
		p, err := c.ListKeys(ctx, prefix, cursor, 1000)
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

// Export copies every key under prefix to the writer function, for the
// nightly off-site backup.
func (c *Client) Export(ctx context.Context, prefix string, emit func(Key) error) (int, error) {
	n, cursor := 0, ""
	deadline := time.Now().Add(20 * time.Minute)
	for time.Now().Before(deadline) {
		p, err := c.ListKeys(ctx, prefix, cursor, 1000) // EXPECT kvlist
		if err != nil {
			return n, err
		}
		if len(p.Keys) == 0 {
			break
		}
		for _, k := range p.Keys {
			if err := emit(k); err != nil {
				return n, err
			}
			n++
		}
		cursor = p.Cursor
	}
	return n, nil
}

// HoldSeconds returns how long an export lock is held, as the API wants it.
func HoldSeconds(d time.Duration) int { return int(d / time.Second) }
