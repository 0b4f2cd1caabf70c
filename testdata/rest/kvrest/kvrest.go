// Package kvrest is a thin client for the Workers KV REST API over
// net/http, as backends write one when the SDK is not worth it.
package kvrest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
)

const apiBase = "https://api.cloudflare.com/client/v4/accounts/%s/storage/kv/namespaces/%s"

// Client talks to one namespace.
type Client struct {
	hc   *http.Client
	base string
}

func New(account, namespace string) *Client {
	return &Client{hc: http.DefaultClient, base: fmt.Sprintf(apiBase, account, namespace)}
}

func (c *Client) valueURL(key string) string { return c.base + "/values/" + url.PathEscape(key) }

// Get returns the value and whether the key exists: a missing key is a
// 404 response, not an error.
func (c *Client) Get(ctx context.Context, key string) (string, bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.valueURL(key), nil)
	if err != nil {
		return "", false, err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return "", false, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return "", false, nil
	}
	if resp.StatusCode != http.StatusOK {
		return "", false, fmt.Errorf("kv get %s: %s", key, resp.Status)
	}
	b, err := io.ReadAll(resp.Body)
	return string(b), true, err
}

// Put writes a value; ttlSeconds of zero keeps it forever.
func (c *Client) Put(ctx context.Context, key, value string, ttlSeconds int) error {
	u := c.valueURL(key)
	if ttlSeconds > 0 {
		u += "?expiration_ttl=" + strconv.Itoa(ttlSeconds)
	}
	return c.send(ctx, http.MethodPut, u, []byte(value))
}

// Delete removes a key.
func (c *Client) Delete(ctx context.Context, key string) error {
	return c.send(ctx, http.MethodDelete, c.valueURL(key), nil)
}

// send is the one place requests go out; the method and URL are its
// callers'.
func (c *Client) send(ctx context.Context, method, u string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("kv %s: %s", method, resp.Status)
	}
	return nil
}
