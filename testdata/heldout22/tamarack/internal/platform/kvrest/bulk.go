package kvrest

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
)

// KeyInfo is one listed key.
type KeyInfo struct {
	Name       string         `json:"name"`
	Expiration int64          `json:"expiration,omitempty"`
	Metadata   map[string]any `json:"metadata,omitempty"`
}

// KeyPage is one page of a key listing.
type KeyPage struct {
	Keys   []KeyInfo
	Cursor string
}

// Done reports whether this was the last page.
func (p KeyPage) Done() bool { return p.Cursor == "" }

// ListKeys returns one page of keys under prefix.
func (c *Client) ListKeys(ctx context.Context, prefix, cursor string, limit int) (KeyPage, error) {
	q := url.Values{}
	if prefix != "" {
		q.Set("prefix", prefix)
	}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	resp, err := c.do(ctx, http.MethodGet, c.nsURL("/keys?"+q.Encode()), "", nil)
	if err != nil {
		return KeyPage{}, err
	}
	env, err := decode[[]KeyInfo](resp)
	if err != nil {
		return KeyPage{}, err
	}
	return KeyPage{Keys: env.Result, Cursor: env.ResultInfo.Cursor}, nil
}

// Pair is one entry of a bulk write.
type Pair struct {
	Key           string         `json:"key"`
	Value         string         `json:"value"`
	Expiration    int64          `json:"expiration,omitempty"`
	ExpirationTTL int64          `json:"expiration_ttl,omitempty"`
	Metadata      map[string]any `json:"metadata,omitempty"`
	Base64        bool           `json:"base64,omitempty"`
}

// BulkResult reports what a bulk write stored.
type BulkResult struct {
	SuccessfulKeyCount int      `json:"successful_key_count"`
	UnsuccessfulKeys   []string `json:"unsuccessful_keys"`
}

// BulkPut writes pairs in one request.
func (c *Client) BulkPut(ctx context.Context, pairs []Pair) (BulkResult, error) {
	body, err := json.Marshal(pairs)
	if err != nil {
		return BulkResult{}, err
	}
	resp, err := c.do(ctx, http.MethodPut, c.nsURL("/bulk"), "application/json", bytes.NewReader(body))
	if err != nil {
		return BulkResult{}, err
	}
	env, err := decode[BulkResult](resp)
	return env.Result, err
}
