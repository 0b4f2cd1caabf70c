//go:build !js

// Package restkv is a small client for the Workers KV v4 REST API. The
// generated SDK does not expose expirations on single writes or streaming
// bodies, so jobs that need those use this client.
package restkv

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

	"firecrest/internal/courier"
)

const defaultBase = "https://api.cloudflare.com/client/v4"

// Client talks to one namespace.
type Client struct {
	Base        string
	AccountID   string
	NamespaceID string
	Token       string
	HTTP        *http.Client
}

// StatusError is a non-2xx answer other than 404.
type StatusError struct {
	Op     string
	Key    string
	Status int
	Body   string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("restkv: %s %q: HTTP %d: %s", e.Op, e.Key, e.Status, e.Body)
}

// Retryable reports whether the request hit KV's per-key write limit or a
// transient server error.
func (e *StatusError) Retryable() bool {
	return e.Status == http.StatusTooManyRequests || e.Status >= 500
}

// WriteOpts are the optional parts of a write. Zero values are omitted.
type WriteOpts struct {
	TTL        int   // expiration_ttl, seconds from now
	Expiration int64 // expiration, seconds since the epoch
	Metadata   any
}

func (c *Client) nsURL(parts ...string) string {
	base := c.Base
	if base == "" {
		base = defaultBase
	}
	u := fmt.Sprintf("%s/accounts/%s/storage/kv/namespaces/%s", base, c.AccountID, c.NamespaceID)
	for _, p := range parts {
		u += "/" + p
	}
	return u
}

func (c *Client) do(req *http.Request, op, key string) (*http.Response, error) {
	req.Header.Set("Authorization", "Bearer "+c.Token)
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	res, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	if res.StatusCode == http.StatusNotFound {
		res.Body.Close()
		return nil, &courier.NotFoundError{Key: key}
	}
	if res.StatusCode/100 != 2 {
		b, _ := io.ReadAll(io.LimitReader(res.Body, 2048))
		res.Body.Close()
		return nil, &StatusError{Op: op, Key: key, Status: res.StatusCode, Body: string(b)}
	}
	return res, nil
}

// Put writes body under key.
func (c *Client) Put(ctx context.Context, key string, body io.Reader, o WriteOpts) error {
	q := url.Values{}
	if o.TTL != 0 {
		q.Set("expiration_ttl", strconv.Itoa(o.TTL))
	}
	if o.Expiration != 0 {
		q.Set("expiration", strconv.FormatInt(o.Expiration, 10))
	}
	u := c.nsURL("values", url.PathEscape(key))
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	if o.Metadata != nil {
		// Metadata requires the multipart form; values here are small.
		return c.putMultipart(ctx, u, key, body, o.Metadata)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, u, body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	res, err := c.do(req, "put", key)
	if err != nil {
		return err
	}
	return res.Body.Close()
}

func (c *Client) putMultipart(ctx context.Context, u, key string, body io.Reader, meta any) error {
	mb, err := json.Marshal(meta)
	if err != nil {
		return err
	}
	val, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	boundary := fmt.Sprintf("fc%d", time.Now().UnixNano())
	fmt.Fprintf(&buf, "--%s\r\nContent-Disposition: form-data; name=\"value\"\r\n\r\n%s\r\n", boundary, val)
	fmt.Fprintf(&buf, "--%s\r\nContent-Disposition: form-data; name=\"metadata\"\r\n\r\n%s\r\n--%s--\r\n", boundary, mb, boundary)
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, u, &buf)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "multipart/form-data; boundary="+boundary)
	res, err := c.do(req, "put", key)
	if err != nil {
		return err
	}
	return res.Body.Close()
}

// Get returns the value's body; the caller closes it. A missing key is
// *courier.NotFoundError.
func (c *Client) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.nsURL("values", url.PathEscape(key)), nil)
	if err != nil {
		return nil, err
	}
	res, err := c.do(req, "get", key)
	if err != nil {
		return nil, err
	}
	return res.Body, nil
}

// Delete removes key.
func (c *Client) Delete(ctx context.Context, key string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, c.nsURL("values", url.PathEscape(key)), nil)
	if err != nil {
		return err
	}
	res, err := c.do(req, "delete", key)
	if err != nil {
		return err
	}
	return res.Body.Close()
}

// KeyInfo is one listed key.
type KeyInfo struct {
	Name       string         `json:"name"`
	Expiration int64          `json:"expiration,omitempty"`
	Metadata   map[string]any `json:"metadata,omitempty"`
}

// KeyPage is one page of a listing.
type KeyPage struct {
	Keys   []KeyInfo
	Cursor string
}

// ListKeys returns one page of keys. An empty Cursor in the result means
// the listing is complete.
func (c *Client) ListKeys(ctx context.Context, prefix, cursor string, limit int) (*KeyPage, error) {
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
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.nsURL("keys")+"?"+q.Encode(), nil)
	if err != nil {
		return nil, err
	}
	res, err := c.do(req, "list", prefix)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	var env struct {
		Result     []KeyInfo `json:"result"`
		ResultInfo struct {
			Cursor string `json:"cursor"`
		} `json:"result_info"`
	}
	if err := json.NewDecoder(res.Body).Decode(&env); err != nil {
		return nil, err
	}
	return &KeyPage{Keys: env.Result, Cursor: env.ResultInfo.Cursor}, nil
}

// BulkPair is one entry of a bulk write.
type BulkPair struct {
	Key           string         `json:"key"`
	Value         string         `json:"value"`
	ExpirationTTL int            `json:"expiration_ttl,omitempty"`
	Expiration    int64          `json:"expiration,omitempty"`
	Metadata      map[string]any `json:"metadata,omitempty"`
	Base64        bool           `json:"base64,omitempty"`
}

// BulkPut writes pairs in one request; KV accepts up to 10,000 per request.
func (c *Client) BulkPut(ctx context.Context, pairs []BulkPair) error {
	pr, pw := io.Pipe()
	go func() {
		pw.CloseWithError(json.NewEncoder(pw).Encode(pairs))
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, c.nsURL("bulk"), pr)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := c.do(req, "bulk", "")
	if err != nil {
		return err
	}
	return res.Body.Close()
}
