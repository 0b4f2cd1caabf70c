// Package kvhttp talks to the Workers KV REST API with plain net/http. It is
// used by batch jobs and by services that run outside the SDK's retry
// policy (the coupon service needs predictable latency at checkout).
package kvhttp

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
	"time"

	"example.com/billing/internal/kvstore"
)

const defaultBase = "https://api.cloudflare.com/client/v4"

// Client is a kvstore.KV bound to one namespace.
type Client struct {
	hc        *http.Client
	base      string
	token     string
	accountID string
	namespace string
	pageSize  int
}

// Option configures a Client.
type Option func(*Client)

// WithBaseURL points the client at a different API host (tests, proxies).
func WithBaseURL(u string) Option { return func(c *Client) { c.base = u } }

// WithPageSize sets the list page size.
func WithPageSize(n int) Option { return func(c *Client) { c.pageSize = n } }

// New returns a client. hc may be nil.
func New(hc *http.Client, token, accountID, namespaceID string, opts ...Option) *Client {
	if hc == nil {
		hc = &http.Client{Timeout: 15 * time.Second}
	}
	c := &Client{hc: hc, base: defaultBase, token: token, accountID: accountID, namespace: namespaceID, pageSize: 1000}
	for _, o := range opts {
		o(c)
	}
	return c
}

// APIError is a non-2xx response from the API.
type APIError struct {
	Status int
	Body   string
}

func (e *APIError) Error() string { return fmt.Sprintf("kv api: %d: %s", e.Status, e.Body) }

func (c *Client) nsURL(suffix string) string {
	return fmt.Sprintf("%s/accounts/%s/storage/kv/namespaces/%s%s", c.base, url.PathEscape(c.accountID), url.PathEscape(c.namespace), suffix)
}

func (c *Client) valueURL(key string, q url.Values) string {
	u := c.nsURL("/values/" + url.PathEscape(key))
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

func (c *Client) send(ctx context.Context, method, u string, body io.Reader, contentType string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := c.hc.Do(req)
	if err != nil {
		return nil, err
	}
	if res.StatusCode/100 != 2 {
		defer res.Body.Close()
		b, _ := io.ReadAll(io.LimitReader(res.Body, 4<<10))
		return nil, &APIError{Status: res.StatusCode, Body: string(b)}
	}
	return res, nil
}

func notFound(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Status == http.StatusNotFound
}

// Get implements kvstore.KV.
func (c *Client) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := c.send(ctx, http.MethodGet, c.valueURL(key, nil), nil, "")
	if err != nil {
		if notFound(err) {
			return nil, kvstore.ErrNotFound
		}
		return nil, err
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// Put implements kvstore.KV.
func (c *Client) Put(ctx context.Context, key string, value []byte, opts ...kvstore.PutOption) error {
	o := kvstore.Resolve(opts)
	q := url.Values{}
	if o.TTL > 0 {
		q.Set("expiration_ttl", strconv.FormatInt(int64(o.TTL/time.Second), 10))
	}
	if !o.ExpireAt.IsZero() {
		q.Set("expiration", strconv.FormatInt(o.ExpireAt.Unix(), 10))
	}
	body, ctype := bytes.NewReader(value), "application/octet-stream"
	if o.Metadata != nil {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		_ = mw.WriteField("value", string(value))
		meta, err := json.Marshal(o.Metadata)
		if err != nil {
			return err
		}
		_ = mw.WriteField("metadata", string(meta))
		if err := mw.Close(); err != nil {
			return err
		}
		body, ctype = bytes.NewReader(buf.Bytes()), mw.FormDataContentType()
	}
	res, err := c.send(ctx, http.MethodPut, c.valueURL(key, q), body, ctype)
	if err != nil {
		return fmt.Errorf("kvhttp put %q: %w", key, err)
	}
	return res.Body.Close()
}

// Delete implements kvstore.KV.
func (c *Client) Delete(ctx context.Context, key string) error {
	res, err := c.send(ctx, http.MethodDelete, c.valueURL(key, nil), nil, "")
	if err != nil {
		if notFound(err) {
			return nil
		}
		return fmt.Errorf("kvhttp delete %q: %w", key, err)
	}
	return res.Body.Close()
}

type listResponse struct {
	Success bool `json:"success"`
	Result  []struct {
		Name       string         `json:"name"`
		Expiration int64          `json:"expiration"`
		Metadata   map[string]any `json:"metadata"`
	} `json:"result"`
	ResultInfo struct {
		Count  int    `json:"count"`
		Cursor string `json:"cursor"`
	} `json:"result_info"`
}

func (c *Client) listKeys(ctx context.Context, q url.Values) (*listResponse, error) {
	u, err := url.Parse(c.nsURL("/keys"))
	if err != nil {
		return nil, err
	}
	u.RawQuery = q.Encode()
	res, err := c.send(ctx, http.MethodGet, u.String(), nil, "")
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	var out listResponse
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		return nil, fmt.Errorf("kvhttp list: %w", err)
	}
	return &out, nil
}

func toPage(r *listResponse) kvstore.Page {
	p := kvstore.Page{Cursor: r.ResultInfo.Cursor, Complete: r.ResultInfo.Cursor == ""}
	for _, k := range r.Result {
		info := kvstore.KeyInfo{Name: k.Name, Metadata: k.Metadata}
		if k.Expiration > 0 {
			info.Expiration = time.Unix(k.Expiration, 0)
		}
		p.Keys = append(p.Keys, info)
	}
	return p
}

// List implements kvstore.KV and returns one page.
func (c *Client) List(ctx context.Context, q kvstore.ListQuery) (kvstore.Page, error) {
	v := url.Values{}
	if q.Prefix != "" {
		v.Set("prefix", q.Prefix)
	}
	if q.Cursor != "" {
		v.Set("cursor", q.Cursor)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = c.pageSize
	}
	v.Set("limit", strconv.Itoa(max(limit, 10)))
	r, err := c.listKeys(ctx, v)
	if err != nil {
		return kvstore.Page{}, err
	}
	return toPage(r), nil
}

// ScanPrefix calls fn for every key under prefix.
func (c *Client) ScanPrefix(ctx context.Context, prefix string, fn func(kvstore.KeyInfo) error) error {
	q := url.Values{}
	q.Set("prefix", prefix)
	q.Set("limit", strconv.Itoa(c.pageSize))
	for {
		r, err := c.listKeys(ctx, q) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range toPage(r).Keys {
			if err := fn(k); err != nil {
				return err
			}
		}
		if r.ResultInfo.Cursor == "" {
			return nil
		}
		q = url.Values{"cursor": {r.ResultInfo.Cursor}, "limit": {strconv.Itoa(c.pageSize)}}
	}
}

func isMissing(err error) bool { return errors.Is(err, kvstore.ErrNotFound) }
