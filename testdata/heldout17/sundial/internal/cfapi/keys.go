package cfapi

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
)

// Key is one listed key.
type Key struct {
	Name       string          `json:"name"`
	Expiration int64           `json:"expiration,omitempty"`
	Metadata   json.RawMessage `json:"metadata,omitempty"`
}

// KeyPage is one page of a listing. Cursor is empty on the last page.
type KeyPage struct {
	Keys   []Key
	Cursor string
}

// ListParams select a page of keys.
type ListParams struct {
	Prefix string
	Cursor string
	Limit  int
}

// ListKeys returns one page of keys.
func (c *Client) ListKeys(ctx context.Context, p ListParams) (KeyPage, error) {
	q := url.Values{}
	if p.Prefix != "" {
		q.Set("prefix", p.Prefix)
	}
	if p.Cursor != "" {
		q.Set("cursor", p.Cursor)
	}
	if p.Limit != 0 {
		q.Set("limit", strconv.Itoa(p.Limit))
	}
	env, err := c.call(ctx, http.MethodGet, c.endpoint("keys", q), "", nil)
	if err != nil {
		return KeyPage{}, err
	}
	var page KeyPage
	if err := json.Unmarshal(env.Result, &page.Keys); err != nil {
		return KeyPage{}, err
	}
	page.Cursor = env.ResultInfo.Cursor
	return page, nil
}

// BulkPair is one pair of a bulk write.
type BulkPair struct {
	Key           string `json:"key"`
	Value         string `json:"value"`
	Expiration    int64  `json:"expiration,omitempty"`
	ExpirationTTL int    `json:"expiration_ttl,omitempty"`
	Metadata      any    `json:"metadata,omitempty"`
	Base64        bool   `json:"base64,omitempty"`
}

// BulkResult reports the outcome of a bulk write.
type BulkResult struct {
	Successful   int      `json:"successful_key_count"`
	Unsuccessful []string `json:"unsuccessful_keys"`
}

// BulkWrite writes many pairs in one request.
func (c *Client) BulkWrite(ctx context.Context, pairs []BulkPair) (BulkResult, error) {
	body, err := json.Marshal(pairs)
	if err != nil {
		return BulkResult{}, err
	}
	env, err := c.call(ctx, http.MethodPut, c.endpoint("bulk", nil), "application/json", bytes.NewReader(body))
	if err != nil {
		return BulkResult{}, err
	}
	var res BulkResult
	if len(env.Result) > 0 && string(env.Result) != "null" {
		_ = json.Unmarshal(env.Result, &res)
	}
	return res, nil
}

// BulkGet reads many text values in one request. Missing keys map to nil.
func (c *Client) BulkGet(ctx context.Context, names []string) (map[string]*string, error) {
	body, _ := json.Marshal(map[string]any{"keys": names, "type": "text"})
	env, err := c.call(ctx, http.MethodPost, c.endpoint("bulk/get", nil), "application/json", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	var res struct {
		Values map[string]*string `json:"values"`
	}
	if err := json.Unmarshal(env.Result, &res); err != nil {
		return nil, err
	}
	return res.Values, nil
}
