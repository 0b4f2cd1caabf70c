// Package kvrest talks to the Workers KV REST API with plain net/http. The
// order-status publisher uses it so it can run in the fulfilment worker
// without the SDK.
package kvrest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

var ErrNotFound = errors.New("kvrest: key not found")

type Client struct {
	HTTP                                 *http.Client
	BaseURL, AccountID, Namespace, Token string
}

func New(base, accountID, namespace, token string) *Client {
	return &Client{HTTP: &http.Client{Timeout: 10 * time.Second}, BaseURL: base, AccountID: accountID, Namespace: namespace, Token: token}
}

func (c *Client) nsURL(suffix string, q url.Values) string {
	u := fmt.Sprintf("%s/accounts/%s/storage/kv/namespaces/%s/%s", c.BaseURL, c.AccountID, c.Namespace, suffix)
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

func (c *Client) do(ctx context.Context, method, u string, body []byte, contentType string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := c.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 32<<20))
	switch {
	case err != nil:
		return nil, err
	case res.StatusCode == http.StatusNotFound:
		return nil, ErrNotFound
	case res.StatusCode >= 300:
		return nil, fmt.Errorf("kvrest: %s %s: %d %s", method, u, res.StatusCode, bytes.TrimSpace(raw))
	}
	return raw, nil
}

func (c *Client) put(ctx context.Context, key string, value []byte, q url.Values) error {
	_, err := c.do(ctx, http.MethodPut, c.nsURL("values/"+url.PathEscape(key), q), value, "application/octet-stream")
	return err
}

// PutTTL writes key with a relative expiry in seconds (0 = none).
func (c *Client) PutTTL(ctx context.Context, key string, value []byte, ttlSeconds int) error {
	q := url.Values{}
	if ttlSeconds > 0 {
		q.Set("expiration_ttl", strconv.Itoa(ttlSeconds))
	}
	return c.put(ctx, key, value, q)
}

// PutUntil writes key with an absolute expiry in Unix seconds.
func (c *Client) PutUntil(ctx context.Context, key string, value []byte, expiresAt int64) error {
	return c.put(ctx, key, value, url.Values{"expiration": {strconv.FormatInt(expiresAt, 10)}})
}

func (c *Client) Get(ctx context.Context, key string) ([]byte, error) {
	return c.do(ctx, http.MethodGet, c.nsURL("values/"+url.PathEscape(key), nil), nil, "")
}

func (c *Client) Delete(ctx context.Context, key string) error {
	_, err := c.do(ctx, http.MethodDelete, c.nsURL("values/"+url.PathEscape(key), nil), nil, "")
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

type Key struct {
	Name     string         `json:"name"`
	Metadata map[string]any `json:"metadata,omitempty"`
}

type KeysPage struct {
	Keys   []Key
	Cursor string
}

// ListKeys fetches one page of keys.
func (c *Client) ListKeys(ctx context.Context, prefix, cursor string, limit int) (KeysPage, error) {
	q := url.Values{}
	for k, v := range map[string]string{"prefix": prefix, "cursor": cursor} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	raw, err := c.do(ctx, http.MethodGet, c.nsURL("keys", q), nil, "")
	if err != nil {
		return KeysPage{}, err
	}
	var env struct {
		Result     []Key `json:"result"`
		ResultInfo struct {
			Cursor string `json:"cursor"`
		} `json:"result_info"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		return KeysPage{}, fmt.Errorf("kvrest: decode keys: %w", err)
	}
	return KeysPage{Keys: env.Result, Cursor: env.ResultInfo.Cursor}, nil
}

// Pair is one element of a bulk write.
type Pair struct {
	Key           string         `json:"key"`
	Value         string         `json:"value"`
	Expiration    int64          `json:"expiration,omitempty"`
	ExpirationTTL int            `json:"expiration_ttl,omitempty"`
	Metadata      map[string]any `json:"metadata,omitempty"`
}

// BulkPut writes up to 10,000 pairs in one request.
func (c *Client) BulkPut(ctx context.Context, pairs []Pair) error {
	if len(pairs) > 10_000 {
		return fmt.Errorf("kvrest: bulk put of %d pairs exceeds 10000", len(pairs))
	}
	body, err := json.Marshal(pairs)
	if err != nil {
		return err
	}
	_, err = c.do(ctx, http.MethodPut, c.nsURL("bulk", nil), body, "application/json")
	return err
}
