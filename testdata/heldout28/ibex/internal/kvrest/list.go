package kvrest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// KeyInfo is one listed key.
type KeyInfo struct {
	Name       string          `json:"name"`
	Expiration int64           `json:"expiration,omitempty"`
	Metadata   json.RawMessage `json:"metadata,omitempty"`
}

// ListQuery selects keys.
type ListQuery struct {
	Prefix string
	Cursor string
	Limit  int
}

// ListPage is one page of results.
type ListPage struct {
	Keys   []KeyInfo
	Cursor string
}

func (c *Client) call(ctx context.Context, method, logical, path string, in, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return err
		}
	}
	req, err := c.request(ctx, method, logical, path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.send(req)
	if err != nil {
		return fmt.Errorf("kvrest: %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	if out == nil {
		return nil
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

func (c *Client) listKeys(ctx context.Context, logical string, q url.Values) (ListPage, error) {
	u := url.URL{Path: "/keys", RawQuery: q.Encode()}
	var lr struct {
		Result     []KeyInfo `json:"result"`
		ResultInfo struct {
			Cursor string `json:"cursor"`
		} `json:"result_info"`
	}
	if err := c.call(ctx, http.MethodGet, logical, u.String(), nil, &lr); err != nil {
		return ListPage{}, err
	}
	return ListPage{Keys: lr.Result, Cursor: lr.ResultInfo.Cursor}, nil
}

// List returns one page of keys.
func (c *Client) List(ctx context.Context, logical string, lq ListQuery) (ListPage, error) {
	q := url.Values{}
	if lq.Prefix != "" {
		q.Set("prefix", lq.Prefix)
	}
	if lq.Cursor != "" {
		q.Set("cursor", lq.Cursor)
	}
	if lq.Limit > 0 {
		q.Set("limit", strconv.Itoa(lq.Limit))
	}
	return c.listKeys(ctx, logical, q)
}

// Probe checks that the namespace is reachable and the token can read it.
func (c *Client) Probe(ctx context.Context, logical string) error {
	_, err := c.listKeys(ctx, logical, url.Values{"limit": {"1"}}) // EXPECT kvlimits
	return err
}

// BulkPair is one entry of a bulk write.
type BulkPair struct {
	Key           string         `json:"key"`
	Value         string         `json:"value"`
	ExpirationTTL int            `json:"expiration_ttl,omitempty"`
	Metadata      map[string]any `json:"metadata,omitempty"`
	Base64        bool           `json:"base64,omitempty"`
}

// BulkPut writes pairs in one request to the /bulk endpoint.
func (c *Client) BulkPut(ctx context.Context, logical string, pairs []BulkPair) error {
	return c.call(ctx, http.MethodPut, logical, "/bulk", pairs, nil)
}

// BulkGet reads text values for keys in one request. Missing keys map to
// nil.
func (c *Client) BulkGet(ctx context.Context, logical string, keys []string) (map[string]*string, error) {
	var out struct {
		Result struct {
			Values map[string]*string `json:"values"`
		} `json:"result"`
	}
	err := c.call(ctx, http.MethodPost, logical, "/bulk/get", map[string]any{"keys": keys, "type": "text"}, &out)
	return out.Result.Values, err
}
