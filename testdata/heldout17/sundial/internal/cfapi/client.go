// Package cfapi is a small client for the Workers KV REST API, used by the
// admin tool outside the Worker.
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
	"strings"

	"example.com/sundial/internal/retry"
)

// DefaultBase is the Cloudflare API v4 endpoint.
const DefaultBase = "https://api.cloudflare.com/client/v4"

// ErrNotFound is returned when a key does not exist.
var ErrNotFound = errors.New("cfapi: key not found")

// Client calls the KV endpoints of one namespace.
type Client struct {
	HTTP      *http.Client
	Base      string
	Token     string
	Account   string
	Namespace string
}

// APIError is a non-success response.
type APIError struct {
	Status int
	Msgs   []string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("cfapi: HTTP %d: %s", e.Status, strings.Join(e.Msgs, "; "))
}

type message struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

type envelope struct {
	Success    bool            `json:"success"`
	Errors     []message       `json:"errors"`
	Result     json.RawMessage `json:"result"`
	ResultInfo struct {
		Cursor string `json:"cursor"`
	} `json:"result_info"`
}

func (c *Client) endpoint(path string, q url.Values) string {
	base := c.Base
	if base == "" {
		base = DefaultBase
	}
	u := fmt.Sprintf("%s/accounts/%s/storage/kv/namespaces/%s/%s",
		strings.TrimRight(base, "/"), url.PathEscape(c.Account), url.PathEscape(c.Namespace), path)
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

func (c *Client) do(ctx context.Context, method, u, contentType string, body io.Reader) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, retry.Retryable(err)
	}
	return resp, nil
}

// call performs a request whose response is a JSON envelope.
func (c *Client) call(ctx context.Context, method, u, contentType string, body io.Reader) (envelope, error) {
	var env envelope
	resp, err := c.do(ctx, method, u, contentType, body)
	if err != nil {
		return env, err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
		return env, fmt.Errorf("cfapi: %s %s: HTTP %d: %w", method, u, resp.StatusCode, err)
	}
	if !env.Success || resp.StatusCode >= 300 {
		return env, apiError(resp.StatusCode, env.Errors)
	}
	return env, nil
}

func apiError(status int, msgs []message) error {
	e := &APIError{Status: status}
	for _, m := range msgs {
		e.Msgs = append(e.Msgs, fmt.Sprintf("%d %s", m.Code, m.Message))
	}
	if status == http.StatusTooManyRequests || status >= 500 {
		return retry.Retryable(e)
	}
	return e
}

// GetValue reads the value of key.
func (c *Client) GetValue(ctx context.Context, key string) ([]byte, error) {
	resp, err := c.do(ctx, http.MethodGet, c.endpoint("values/"+url.PathEscape(key), nil), "", nil)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return nil, ErrNotFound
	}
	if resp.StatusCode >= 300 {
		var env envelope
		_ = json.NewDecoder(resp.Body).Decode(&env)
		return nil, apiError(resp.StatusCode, env.Errors)
	}
	return io.ReadAll(resp.Body)
}

// PutParams are the optional parts of a write.
type PutParams struct {
	// ExpirationTTL is in seconds from now.
	ExpirationTTL int
	// Expiration is in seconds since the Unix epoch.
	Expiration int64
	// Metadata is stored alongside the value as JSON.
	Metadata any
}

// PutValue writes value at key.
func (c *Client) PutValue(ctx context.Context, key string, value []byte, p PutParams) error {
	q := url.Values{}
	if p.ExpirationTTL != 0 {
		q.Set("expiration_ttl", strconv.Itoa(p.ExpirationTTL))
	}
	if p.Expiration != 0 {
		q.Set("expiration", strconv.FormatInt(p.Expiration, 10))
	}
	u := c.endpoint("values/"+url.PathEscape(key), q)
	if p.Metadata == nil {
		_, err := c.call(ctx, http.MethodPut, u, "application/octet-stream", bytes.NewReader(value))
		return err
	}
	meta, err := json.Marshal(p.Metadata)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if err := mw.WriteField("metadata", string(meta)); err != nil {
		return err
	}
	fw, err := mw.CreateFormField("value")
	if err != nil {
		return err
	}
	fw.Write(value)
	mw.Close()
	_, err = c.call(ctx, http.MethodPut, u, mw.FormDataContentType(), &buf)
	return err
}

// DeleteValue removes key.
func (c *Client) DeleteValue(ctx context.Context, key string) error {
	_, err := c.call(ctx, http.MethodDelete, c.endpoint("values/"+url.PathEscape(key), nil), "", nil)
	return err
}
