// Package cfadmin is the back-office client of the Workers KV REST API,
// used by the wharfadmin tool to seed, inspect and export the namespace
// the Worker serves from.
package cfadmin

import (
	"bytes"
	"cmp"
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
	"time"
)

// DefaultBase is the Cloudflare API root.
const DefaultBase = "https://api.cloudflare.com/client/v4"

// ErrNotFound is returned when a key does not exist.
var ErrNotFound = errors.New("cfadmin: key not found")

// Client talks to one KV namespace over the REST API.
type Client struct {
	HTTP        *http.Client
	Base        string
	AccountID   string
	NamespaceID string
	Token       string
}

// APIError is a non-success answer from the API.
type APIError struct {
	Status   int
	Messages []string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("cloudflare api: %d: %s", e.Status, strings.Join(e.Messages, "; "))
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

func (c *Client) endpoint(parts ...string) string {
	base := strings.TrimRight(c.Base, "/")
	if base == "" {
		base = DefaultBase
	}
	return base + "/accounts/" + url.PathEscape(c.AccountID) +
		"/storage/kv/namespaces/" + url.PathEscape(c.NamespaceID) + "/" + strings.Join(parts, "/")
}

func (c *Client) send(ctx context.Context, method, u string, body io.Reader, contentType string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return cmp.Or(c.HTTP, http.DefaultClient).Do(req)
}

// call sends a request whose answer is a JSON envelope and decodes its
// result into out (when non-nil). It returns the result_info cursor.
func (c *Client) call(ctx context.Context, method, u string, body io.Reader, contentType string, out any) (string, error) {
	res, err := c.send(ctx, method, u, body, contentType)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	var env envelope
	if err := json.NewDecoder(io.LimitReader(res.Body, 64<<20)).Decode(&env); err != nil {
		return "", fmt.Errorf("%s %s: %s: %w", method, u, res.Status, err)
	}
	if res.StatusCode == http.StatusNotFound {
		return "", ErrNotFound
	}
	if !env.Success || res.StatusCode >= 300 {
		apiErr := &APIError{Status: res.StatusCode}
		for _, e := range env.Errors {
			apiErr.Messages = append(apiErr.Messages, fmt.Sprintf("%d %s", e.Code, e.Message))
		}
		return "", apiErr
	}
	if out != nil && len(env.Result) > 0 {
		if err := json.Unmarshal(env.Result, out); err != nil {
			return "", fmt.Errorf("%s %s: result: %w", method, u, err)
		}
	}
	return env.ResultInfo.Cursor, nil
}

// ttlQuery renders a relative expiry, never below the API's minimum.
func ttlQuery(ttl time.Duration) url.Values {
	q := url.Values{}
	if ttl > 0 {
		q.Set("expiration_ttl", strconv.FormatInt(int64(max(ttl, time.Minute)/time.Second), 10))
	}
	return q
}

// PutValue writes one value.
func (c *Client) PutValue(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	u := c.endpoint("values", url.PathEscape(key))
	if q := ttlQuery(ttl); len(q) > 0 {
		u += "?" + q.Encode()
	}
	_, err := c.call(ctx, http.MethodPut, u, bytes.NewReader(value), "application/octet-stream", nil)
	return err
}

// PutWithMetadata writes one value together with its metadata.
func (c *Client) PutWithMetadata(ctx context.Context, key string, value []byte, metadata any, ttl time.Duration) error {
	meta, err := json.Marshal(metadata)
	if err != nil {
		return fmt.Errorf("metadata: %w", err)
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if err := mw.WriteField("value", string(value)); err != nil {
		return err
	}
	if err := mw.WriteField("metadata", string(meta)); err != nil {
		return err
	}
	if err := mw.Close(); err != nil {
		return err
	}
	u := c.endpoint("values", url.PathEscape(key))
	if q := ttlQuery(ttl); len(q) > 0 {
		u += "?" + q.Encode()
	}
	_, err = c.call(ctx, http.MethodPut, u, &buf, mw.FormDataContentType(), nil)
	return err
}

// GetValue reads one value. A missing key returns ErrNotFound.
func (c *Client) GetValue(ctx context.Context, key string) ([]byte, error) {
	res, err := c.send(ctx, http.MethodGet, c.endpoint("values", url.PathEscape(key)), nil, "")
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	switch {
	case res.StatusCode == http.StatusNotFound:
		return nil, fmt.Errorf("get %q: %w", key, ErrNotFound)
	case res.StatusCode != http.StatusOK:
		msg, _ := io.ReadAll(io.LimitReader(res.Body, 1<<10))
		return nil, &APIError{Status: res.StatusCode, Messages: []string{string(msg)}}
	}
	return io.ReadAll(res.Body)
}

// Key is one listed key.
type Key struct {
	Name       string          `json:"name"`
	Expiration int64           `json:"expiration,omitempty"`
	Metadata   json.RawMessage `json:"metadata,omitempty"`
}

// KeyPage is one page of a listing; Cursor is "" on the last page.
type KeyPage struct {
	Keys   []Key
	Cursor string
}

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
	var keys []Key
	next, err := c.call(ctx, http.MethodGet, c.endpoint("keys")+"?"+q.Encode(), nil, "", &keys)
	if err != nil {
		return KeyPage{}, err
	}
	return KeyPage{Keys: keys, Cursor: next}, nil
}

// BulkPair is one entry of a bulk write.
type BulkPair struct {
	Key           string `json:"key"`
	Value         string `json:"value"`
	ExpirationTTL int64  `json:"expiration_ttl,omitempty"`
	Metadata      any    `json:"metadata,omitempty"`
	Base64        bool   `json:"base64,omitempty"`
}

// BulkResult reports a bulk write.
type BulkResult struct {
	SuccessfulKeyCount int      `json:"successful_key_count"`
	UnsuccessfulKeys   []string `json:"unsuccessful_keys"`
}

// BulkWrite writes pairs in one request.
func (c *Client) BulkWrite(ctx context.Context, pairs []BulkPair) (BulkResult, error) {
	body, err := json.Marshal(pairs)
	if err != nil {
		return BulkResult{}, err
	}
	var out BulkResult
	_, err = c.call(ctx, http.MethodPut, c.endpoint("bulk"), bytes.NewReader(body), "application/json", &out)
	return out, err
}

// BulkDelete removes keys in one request.
func (c *Client) BulkDelete(ctx context.Context, keys []string) (BulkResult, error) {
	body, err := json.Marshal(keys)
	if err != nil {
		return BulkResult{}, err
	}
	var out BulkResult
	_, err = c.call(ctx, http.MethodPost, c.endpoint("bulk", "delete"), bytes.NewReader(body), "application/json", &out)
	return out, err
}

// BulkGet reads text values of keys in one request. Missing keys map to nil.
func (c *Client) BulkGet(ctx context.Context, keys []string) (map[string]*string, error) {
	body, err := json.Marshal(map[string]any{"keys": keys, "type": "text"})
	if err != nil {
		return nil, err
	}
	var out struct {
		Values map[string]*string `json:"values"`
	}
	_, err = c.call(ctx, http.MethodPost, c.endpoint("bulk", "get"), bytes.NewReader(body), "application/json", &out)
	return out.Values, err
}
