// Package kvrest is a dependency-free store.Store over the Workers KV REST
// API. The admin CLI uses it so it runs anywhere with just an API token.
package kvrest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"example.com/identity/internal/store"
)

const apiBase = "https://api.cloudflare.com/client/v4/accounts/%s/storage/kv/namespaces/%s"

// Client talks to one namespace.
type Client struct {
	base, token string
	http        *http.Client
}

func New(accountID, namespaceID, token string) *Client {
	return &Client{base: fmt.Sprintf(apiBase, accountID, namespaceID), token: token, http: &http.Client{Timeout: 20 * time.Second}}
}

var _ store.Store = (*Client)(nil)

func (c *Client) do(ctx context.Context, method, u string, body io.Reader) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode == http.StatusNotFound {
		resp.Body.Close()
		return nil, store.ErrNotFound
	}
	if resp.StatusCode >= 300 {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		resp.Body.Close()
		return nil, fmt.Errorf("kvrest: %s %s: %s %s", method, u, resp.Status, msg)
	}
	return resp, nil
}

func (c *Client) Get(ctx context.Context, key string) ([]byte, error) {
	resp, err := c.do(ctx, http.MethodGet, c.base+"/values/"+url.PathEscape(key), nil)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

func (c *Client) Put(ctx context.Context, key string, value []byte, opts ...store.PutOption) error {
	o := store.Collect(opts)
	q := url.Values{}
	if o.TTL > 0 {
		q.Set("expiration_ttl", strconv.FormatInt(int64(o.TTL), 10)) // EXPECT kvttl
	}
	if !o.ExpiresAt.IsZero() {
		q.Set("expiration", strconv.FormatInt(o.ExpiresAt.Unix(), 10))
	}
	resp, err := c.do(ctx, http.MethodPut, c.base+"/values/"+url.PathEscape(key)+"?"+q.Encode(), bytes.NewReader(value))
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func (c *Client) Delete(ctx context.Context, key string) error {
	resp, err := c.do(ctx, http.MethodDelete, c.base+"/values/"+url.PathEscape(key), nil)
	if err == store.ErrNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func (c *Client) List(ctx context.Context, lo store.ListOptions) (*store.Page, error) {
	q := url.Values{}
	if lo.Prefix != "" {
		q.Set("prefix", lo.Prefix)
	}
	if lo.Cursor != "" {
		q.Set("cursor", lo.Cursor)
	}
	if lo.Limit > 0 {
		q.Set("limit", strconv.Itoa(lo.Limit))
	}
	resp, err := c.do(ctx, http.MethodGet, c.base+"/keys?"+q.Encode(), nil)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var env struct {
		Result     []store.KeyInfo `json:"result"`
		ResultInfo struct {
			Cursor string `json:"cursor"`
		} `json:"result_info"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
		return nil, err
	}
	return &store.Page{Keys: env.Result, Cursor: env.ResultInfo.Cursor, Complete: env.ResultInfo.Cursor == ""}, nil
}
