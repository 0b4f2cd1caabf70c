// Package cfkv is the back-office client for the Workers KV REST API, used
// by staff tooling that runs outside the Worker.
package cfkv

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
	"strings"
)

const DefaultBase = "https://api.cloudflare.com/client/v4"

var ErrNotFound = errors.New("cfkv: key not found")

// Client addresses one namespace.
type Client struct {
	HTTP      *http.Client
	Base      string
	Account   string
	Namespace string
	Token     string
}

// Pair is one entry of a bulk write.
type Pair struct {
	Key           string `json:"key"`
	Value         string `json:"value"`
	ExpirationTTL int    `json:"expiration_ttl,omitempty"`
	Metadata      any    `json:"metadata,omitempty"`
}

// PutOptions are the optional parts of a single write.
type PutOptions struct {
	TTL      int
	Metadata any
}

type envelope struct {
	Success    bool              `json:"success"`
	Errors     []json.RawMessage `json:"errors"`
	Result     json.RawMessage   `json:"result"`
	ResultInfo struct {
		Cursor string `json:"cursor"`
		Count  int    `json:"count"`
	} `json:"result_info"`
}

func (c *Client) endpoint(parts ...string) string {
	base := c.Base
	if base == "" {
		base = DefaultBase
	}
	return base + "/accounts/" + c.Account + "/storage/kv/namespaces/" + c.Namespace + "/" + strings.Join(parts, "/")
}

func (c *Client) send(ctx context.Context, method, u string, body io.Reader, ctype string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	return c.HTTP.Do(req)
}

func (c *Client) call(ctx context.Context, method, u string, body io.Reader, ctype string) (envelope, error) {
	var env envelope
	res, err := c.send(ctx, method, u, body, ctype)
	if err != nil {
		return env, err
	}
	defer res.Body.Close()
	if err := json.NewDecoder(res.Body).Decode(&env); err != nil {
		return env, fmt.Errorf("cfkv: %s %s: %s: %w", method, u, res.Status, err)
	}
	if !env.Success {
		return env, fmt.Errorf("cfkv: %s %s: %s: %s", method, u, res.Status, env.Errors)
	}
	return env, nil
}

// Get reads one value; a missing key is ErrNotFound.
func (c *Client) Get(ctx context.Context, key string) (string, error) {
	res, err := c.send(ctx, http.MethodGet, c.endpoint("values", url.PathEscape(key)), nil, "")
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	switch {
	case res.StatusCode == http.StatusNotFound:
		return "", ErrNotFound
	case res.StatusCode != http.StatusOK:
		return "", fmt.Errorf("cfkv: get %s: %s", key, res.Status)
	}
	b, err := io.ReadAll(res.Body)
	return string(b), err
}

// Put writes one value.
func (c *Client) Put(ctx context.Context, key, value string, o *PutOptions) error {
	u := c.endpoint("values", url.PathEscape(key))
	if o != nil && o.TTL > 0 {
		u += "?expiration_ttl=" + strconv.Itoa(o.TTL)
	}
	if o == nil || o.Metadata == nil {
		_, err := c.call(ctx, http.MethodPut, u, strings.NewReader(value), "text/plain")
		return err
	}
	meta, err := json.Marshal(o.Metadata)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("value", value)
	_ = mw.WriteField("metadata", string(meta))
	if err := mw.Close(); err != nil {
		return err
	}
	_, err = c.call(ctx, http.MethodPut, u, &buf, mw.FormDataContentType())
	return err
}

// Key is one listed key.
type Key struct {
	Name       string          `json:"name"`
	Expiration int64           `json:"expiration,omitempty"`
	Metadata   json.RawMessage `json:"metadata,omitempty"`
}

// ListKeys returns one page and the cursor of the next ("" when done).
func (c *Client) ListKeys(ctx context.Context, prefix, cursor string, limit int) ([]Key, string, error) {
	q := url.Values{}
	q.Set("limit", strconv.Itoa(limit))
	if prefix != "" {
		q.Set("prefix", prefix)
	}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	env, err := c.call(ctx, http.MethodGet, c.endpoint("keys")+"?"+q.Encode(), nil, "")
	if err != nil {
		return nil, "", err
	}
	var keys []Key
	if err := json.Unmarshal(env.Result, &keys); err != nil {
		return nil, "", err
	}
	return keys, env.ResultInfo.Cursor, nil
}

// BulkPut writes many pairs in one request.
func (c *Client) BulkPut(ctx context.Context, pairs []Pair) error {
	b, err := json.Marshal(pairs)
	if err != nil {
		return err
	}
	_, err = c.call(ctx, http.MethodPut, c.endpoint("bulk"), bytes.NewReader(b), "application/json")
	return err
}

// BulkGet reads many text values; missing keys map to nil.
func (c *Client) BulkGet(ctx context.Context, keys []string) (map[string]*string, error) {
	b, err := json.Marshal(map[string]any{"keys": keys, "type": "text"})
	if err != nil {
		return nil, err
	}
	env, err := c.call(ctx, http.MethodPost, c.endpoint("bulk", "get"), bytes.NewReader(b), "application/json")
	if err != nil {
		return nil, err
	}
	var out struct {
		Values map[string]*string `json:"values"`
	}
	return out.Values, json.Unmarshal(env.Result, &out)
}
