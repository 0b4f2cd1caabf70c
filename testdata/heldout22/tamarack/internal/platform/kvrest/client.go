// Package kvrest is a small client for the Workers KV REST API, used by the
// back-office admin tool.
package kvrest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// ErrNotFound is returned when a key has no value.
var ErrNotFound = errors.New("kvrest: key not found")

// Client talks to one namespace.
type Client struct {
	base      string
	account   string
	namespace string
	token     string
	timeout   time.Duration
	log       *slog.Logger

	once sync.Once
	hc   *http.Client
}

// Option configures a Client.
type Option func(*Client)

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(c *Client) { c.log = l } }

// New returns a client for account/namespace authenticated with token.
func New(account, namespace, token string, opts ...Option) *Client {
	c := &Client{
		base:      "https://api.cloudflare.com/client/v4",
		account:   account,
		namespace: namespace,
		token:     token,
		timeout:   30 * time.Second,
		log:       slog.Default(),
	}
	for _, o := range opts {
		o(c)
	}
	return c
}

func (c *Client) http() *http.Client {
	c.once.Do(func() {
		c.hc = &http.Client{Timeout: c.timeout}
	})
	return c.hc
}

func (c *Client) nsURL(suffix string) string {
	return c.base + "/accounts/" + c.account + "/storage/kv/namespaces/" + c.namespace + suffix
}

func (c *Client) valueURL(key string, q url.Values) string {
	u := c.nsURL("/values/" + url.PathEscape(key))
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

type apiError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

type envelope[T any] struct {
	Success    bool       `json:"success"`
	Errors     []apiError `json:"errors"`
	Result     T          `json:"result"`
	ResultInfo struct {
		Cursor string `json:"cursor"`
		Count  int    `json:"count"`
	} `json:"result_info"`
}

func (c *Client) do(ctx context.Context, method, u, contentType string, body io.Reader) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	start := time.Now()
	resp, err := c.http().Do(req)
	if err != nil {
		return nil, err
	}
	c.log.Debug("kv api", "method", method, "status", resp.StatusCode, "took", time.Since(start))
	return resp, nil
}

func decode[T any](resp *http.Response) (envelope[T], error) {
	defer resp.Body.Close()
	var env envelope[T]
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
		return env, fmt.Errorf("kv api: status %d: %w", resp.StatusCode, err)
	}
	if !env.Success {
		errs := make([]error, 0, len(env.Errors))
		for _, e := range env.Errors {
			errs = append(errs, fmt.Errorf("code %d: %s", e.Code, e.Message))
		}
		return env, fmt.Errorf("kv api: status %d: %w", resp.StatusCode, errors.Join(errs...))
	}
	return env, nil
}

// PutValue writes one value. A positive ttl becomes expiration_ttl in whole
// seconds.
func (c *Client) PutValue(ctx context.Context, key, value string, ttl time.Duration) error {
	q := url.Values{}
	if ttl > 0 {
		q.Set("expiration_ttl", strconv.Itoa(int(ttl.Seconds())))
	}
	resp, err := c.do(ctx, http.MethodPut, c.valueURL(key, q), "text/plain", bytes.NewBufferString(value))
	if err != nil {
		return err
	}
	_, err = decode[any](resp)
	return err
}

// PutValueAt writes one value that expires at the given expiration,
// in seconds since the UNIX epoch.
func (c *Client) PutValueAt(ctx context.Context, key, value string, expiration int64) error {
	q := url.Values{"expiration": {strconv.FormatInt(expiration, 10)}}
	resp, err := c.do(ctx, http.MethodPut, c.valueURL(key, q), "text/plain", bytes.NewBufferString(value))
	if err != nil {
		return err
	}
	_, err = decode[any](resp)
	return err
}

// GetValue reads one value; a missing key yields ErrNotFound.
func (c *Client) GetValue(ctx context.Context, key string) (string, error) {
	resp, err := c.do(ctx, http.MethodGet, c.valueURL(key, nil), "", nil)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return "", ErrNotFound
	case resp.StatusCode >= 300:
		return "", fmt.Errorf("kv api: get %q: status %d", key, resp.StatusCode)
	}
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}
