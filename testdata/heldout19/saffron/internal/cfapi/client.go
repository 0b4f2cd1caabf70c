// Package cfapi calls the Cloudflare Workers KV REST API. It is used by
// back-office tools that run outside the Worker.
package cfapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"
)

const apiBase = "https://api.cloudflare.com/client/v4"

// ErrNotFound is returned by Get for a missing key.
var ErrNotFound = errors.New("cfapi: key not found")

var defaultHTTP = sync.OnceValue(func() *http.Client {
	return &http.Client{Timeout: 60 * time.Second}
})

// Client is a KV REST client for one account.
type Client struct {
	Account string
	Token   string
	HTTP    *http.Client
}

// Key is a listed key.
type Key struct {
	Name       string          `json:"name"`
	Expiration int64           `json:"expiration,omitempty"`
	Metadata   json.RawMessage `json:"metadata,omitempty"`
}

// KeysPage is one page of a key listing. Cursor is empty on the last page.
type KeysPage struct {
	Keys   []Key
	Cursor string
}

// Pair is one entry of a bulk write.
type Pair struct {
	Key           string `json:"key"`
	Value         string `json:"value"`
	ExpirationTTL int64  `json:"expiration_ttl,omitempty"`
	Metadata      any    `json:"metadata,omitempty"`
	Base64        bool   `json:"base64,omitempty"`
}

// WriteOptions apply to a single-key write.
type WriteOptions struct {
	TTL      int64 // seconds from now
	Metadata any
}

type envelope struct {
	Success bool `json:"success"`
	Errors  []struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"errors"`
	Result     json.RawMessage `json:"result"`
	ResultInfo struct {
		Cursor string `json:"cursor"`
	} `json:"result_info"`
}

func (c *Client) url(ns string, parts ...string) string {
	u := apiBase + "/accounts/" + c.Account + "/storage/kv/namespaces/" + ns
	for _, p := range parts {
		u += "/" + p
	}
	return u
}

func (c *Client) send(req *http.Request) (*http.Response, error) {
	req.Header.Set("Authorization", "Bearer "+c.Token)
	hc := c.HTTP
	if hc == nil {
		hc = defaultHTTP()
	}
	return hc.Do(req)
}

func (c *Client) call(ctx context.Context, method, u string, in, out any) (envelope, error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return envelope{}, err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return envelope{}, err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := c.send(req)
	if err != nil {
		return envelope{}, err
	}
	defer res.Body.Close()
	var env envelope
	if err := json.NewDecoder(res.Body).Decode(&env); err != nil {
		return envelope{}, fmt.Errorf("cfapi: %s %s: %s: %w", method, u, res.Status, err)
	}
	if !env.Success {
		return env, fmt.Errorf("cfapi: %s %s: %+v", method, u, env.Errors)
	}
	if out != nil && len(env.Result) > 0 {
		if err := json.Unmarshal(env.Result, out); err != nil {
			return env, err
		}
	}
	return env, nil
}

// Get reads one value.
func (c *Client) Get(ctx context.Context, ns, key string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url(ns, "values", url.PathEscape(key)), nil)
	if err != nil {
		return nil, err
	}
	res, err := c.send(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	switch res.StatusCode {
	case http.StatusOK:
		return io.ReadAll(res.Body)
	case http.StatusNotFound:
		return nil, ErrNotFound
	}
	return nil, fmt.Errorf("cfapi: get %q: %s", key, res.Status)
}

// Put writes one value, with metadata when given.
func (c *Client) Put(ctx context.Context, ns, key string, value []byte, o WriteOptions) error {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fields := map[string]string{"value": string(value)}
	if o.Metadata != nil {
		meta, err := json.Marshal(o.Metadata)
		if err != nil {
			return err
		}
		fields["metadata"] = string(meta)
	}
	for name, v := range fields {
		if err := mw.WriteField(name, v); err != nil {
			return err
		}
	}
	if err := mw.Close(); err != nil {
		return err
	}
	u := c.url(ns, "values", url.PathEscape(key))
	if o.TTL > 0 {
		u += "?expiration_ttl=" + strconv.FormatInt(o.TTL, 10)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, u, &buf)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := c.send(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("cfapi: put %q: %s", key, res.Status)
	}
	return nil
}

// ListKeys returns one page of keys.
func (c *Client) ListKeys(ctx context.Context, ns, prefix, cursor string, limit int) (KeysPage, error) {
	q := url.Values{"limit": {strconv.Itoa(limit)}}
	if prefix != "" {
		q.Set("prefix", prefix)
	}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	var keys []Key
	env, err := c.call(ctx, http.MethodGet, c.url(ns, "keys")+"?"+q.Encode(), nil, &keys)
	if err != nil {
		return KeysPage{}, err
	}
	return KeysPage{Keys: keys, Cursor: env.ResultInfo.Cursor}, nil
}

// BulkWrite stores pairs in one request.
func (c *Client) BulkWrite(ctx context.Context, ns string, pairs []Pair) error {
	_, err := c.call(ctx, http.MethodPut, c.url(ns, "bulk"), pairs, nil)
	return err
}

// BulkGet reads text values of keys in one request. Missing keys map to nil.
func (c *Client) BulkGet(ctx context.Context, ns string, keys []string) (map[string]*string, error) {
	var out struct {
		Values map[string]*string `json:"values"`
	}
	in := map[string]any{"keys": keys, "type": "text"}
	if _, err := c.call(ctx, http.MethodPost, c.url(ns, "bulk", "get"), in, &out); err != nil {
		return nil, err
	}
	return out.Values, nil
}
