//go:build !js

// Package cfkv talks to Workers KV from the backend, both through a small
// hand-rolled client for the v4 REST API and through cloudflare-go.
package cfkv

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"grosbeak/internal/museum"
)

const apiBase = "https://api.cloudflare.com/client/v4"

// REST is a client for one namespace.
type REST struct {
	AccountID   string
	NamespaceID string
	Token       string
	HTTP        *http.Client
}

func (c *REST) nsURL(tail string) string {
	return fmt.Sprintf("%s/accounts/%s/storage/kv/namespaces/%s%s", apiBase, c.AccountID, c.NamespaceID, tail)
}

func (c *REST) valueURL(key string, q url.Values) string {
	u := c.nsURL("/values/" + url.PathEscape(key))
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

func (c *REST) do(ctx context.Context, method, u string, body io.Reader, ctype string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	return hc.Do(req)
}

func statusErr(op, key string, res *http.Response) error {
	b, _ := io.ReadAll(io.LimitReader(res.Body, 2048))
	return &museum.StatusError{Op: op, Key: key, Status: res.StatusCode, Body: string(b)}
}

// Open returns the value's body. A missing key is a *museum.NotFoundError.
func (c *REST) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	res, err := c.do(ctx, http.MethodGet, c.valueURL(key, nil), nil, "")
	if err != nil {
		return nil, err
	}
	switch {
	case res.StatusCode == http.StatusNotFound:
		res.Body.Close()
		return nil, &museum.NotFoundError{Key: key}
	case res.StatusCode/100 != 2:
		defer res.Body.Close()
		return nil, statusErr("get", key, res)
	}
	return res.Body, nil
}

// Get reads a whole value.
func (c *REST) Get(ctx context.Context, key string) ([]byte, error) {
	rc, err := c.Open(ctx, key)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// Put writes body under key. ttl is in seconds; zero means no expiry.
func (c *REST) Put(ctx context.Context, key string, body io.Reader, ttl int) error {
	q := url.Values{}
	if ttl > 0 {
		q.Set("expiration_ttl", strconv.Itoa(ttl))
	}
	res, err := c.do(ctx, http.MethodPut, c.valueURL(key, q), body, "application/octet-stream")
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode/100 != 2 {
		return statusErr("put", key, res)
	}
	return nil
}

// PutUntil writes body under key, expiring at the given Unix time.
func (c *REST) PutUntil(ctx context.Context, key string, body io.Reader, expiration int64) error {
	q := url.Values{"expiration": {strconv.FormatInt(expiration, 10)}}
	res, err := c.do(ctx, http.MethodPut, c.valueURL(key, q), body, "application/octet-stream")
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode/100 != 2 {
		return statusErr("put", key, res)
	}
	return nil
}

// Delete removes key.
func (c *REST) Delete(ctx context.Context, key string) error {
	res, err := c.do(ctx, http.MethodDelete, c.valueURL(key, nil), nil, "")
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode/100 != 2 && res.StatusCode != http.StatusNotFound {
		return statusErr("delete", key, res)
	}
	return nil
}

// KeyInfo is one entry of a key listing.
type KeyInfo struct {
	Name       string          `json:"name"`
	Expiration int64           `json:"expiration,omitempty"`
	Metadata   json.RawMessage `json:"metadata,omitempty"`
}

// Page is one page of a key listing.
type Page struct {
	Keys   []KeyInfo
	Cursor string
}

// List fetches one page of keys.
func (c *REST) List(ctx context.Context, prefix, cursor string, limit int) (*Page, error) {
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
	res, err := c.do(ctx, http.MethodGet, c.nsURL("/keys?"+q.Encode()), nil, "")
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode/100 != 2 {
		return nil, statusErr("list", prefix, res)
	}
	var env struct {
		Result     []KeyInfo `json:"result"`
		ResultInfo struct {
			Cursor string `json:"cursor"`
			Count  int    `json:"count"`
		} `json:"result_info"`
	}
	if err := json.NewDecoder(res.Body).Decode(&env); err != nil {
		return nil, err
	}
	return &Page{Keys: env.Result, Cursor: env.ResultInfo.Cursor}, nil
}

// Pair is one write of a bulk request.
type Pair struct {
	Key           string `json:"key"`
	Value         string `json:"value"`
	ExpirationTTL int    `json:"expiration_ttl,omitempty"`
	Metadata      any    `json:"metadata,omitempty"`
}

// MaxBulk is the most pairs one bulk request may carry.
const MaxBulk = 10000

// Bulk writes pairs in one request.
func (c *REST) Bulk(ctx context.Context, pairs []Pair) error {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(pairs); err != nil {
		return err
	}
	res, err := c.do(ctx, http.MethodPut, c.nsURL("/bulk"), &buf, "application/json")
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode/100 != 2 {
		return statusErr("bulk", strconv.Itoa(len(pairs))+" pairs", res)
	}
	return nil
}

// BulkChunked writes pairs in requests of at most MaxBulk.
func (c *REST) BulkChunked(ctx context.Context, pairs []Pair) error {
	for start := 0; start < len(pairs); start += MaxBulk {
		end := min(start+MaxBulk, len(pairs))
		if err := c.Bulk(ctx, pairs[start:end]); err != nil {
			return fmt.Errorf("bulk %d-%d: %w", start, end, err)
		}
	}
	return nil
}
