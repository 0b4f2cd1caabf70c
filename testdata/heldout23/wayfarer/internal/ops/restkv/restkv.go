// Package restkv is a small client for the Workers KV REST endpoints that
// cloudflare-go does not wrap: bulk get, single writes with expiry, and
// writes with metadata.
package restkv

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"example.com/wayfarer/internal/storage"
)

// bearer adds the API token and a user agent to every request.
type bearer struct {
	token string
	next  http.RoundTripper
}

func (b bearer) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.Header.Set("Authorization", "Bearer "+b.token)
	req.Header.Set("User-Agent", "wayfarer-ops/1")
	return b.next.RoundTrip(req)
}

type Client struct {
	base string // .../accounts/{id}/storage/kv/namespaces/{ns}
	hc   *http.Client
}

var (
	_ storage.TTLSetter  = (*Client)(nil)
	_ storage.BulkGetter = (*Client)(nil)
)

func Timeout(d time.Duration) storage.Option[Client] {
	return func(c *Client) { c.hc.Timeout = d }
}

// New builds a client. apiBase is e.g. https://api.cloudflare.com/client/v4.
func New(apiBase, accountID, namespaceID, token string, opts ...storage.Option[Client]) *Client {
	c := storage.Apply(Client{
		base: fmt.Sprintf("%s/accounts/%s/storage/kv/namespaces/%s", apiBase, accountID, namespaceID),
		hc:   &http.Client{Transport: bearer{token: token, next: http.DefaultTransport}, Timeout: 30 * time.Second},
	}, opts...)
	return &c
}

func (c *Client) do(ctx context.Context, method, path, contentType string, body []byte, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusNotFound {
		return storage.ErrNotFound
	}
	var env struct {
		Success bool            `json:"success"`
		Errors  []any           `json:"errors"`
		Result  json.RawMessage `json:"result"`
	}
	if err := json.NewDecoder(res.Body).Decode(&env); err != nil {
		return fmt.Errorf("restkv %s %s: %s: %w", method, path, res.Status, err)
	}
	if !env.Success {
		return fmt.Errorf("restkv %s %s: %s: %v", method, path, res.Status, env.Errors)
	}
	if out != nil {
		return json.Unmarshal(env.Result, out)
	}
	return nil
}

// GetMany reads text values, at most storage.MaxBulkGet keys per request.
func (c *Client) GetMany(ctx context.Context, keys []string) (map[string][]byte, error) {
	out := make(map[string][]byte, len(keys))
	for start := 0; start < len(keys); start += storage.MaxBulkGet {
		chunk := keys[start:min(start+storage.MaxBulkGet, len(keys))]
		body, _ := json.Marshal(map[string]any{"keys": chunk, "type": "text"})
		var res struct {
			Values map[string]*string `json:"values"`
		}
		if err := c.do(ctx, http.MethodPost, "/bulk/get", "application/json", body, &res); err != nil {
			return nil, err
		}
		for k, v := range res.Values {
			if v != nil {
				out[k] = []byte(*v)
			}
		}
	}
	return out, nil
}

// PutTTL writes one value that expires ttl from now.
func (c *Client) PutTTL(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	path := "/values/" + url.PathEscape(key) + "?expiration_ttl=" + strconv.Itoa(int(ttl.Seconds()))
	return c.do(ctx, http.MethodPut, path, "application/octet-stream", value, nil)
}

// PutWithMetadata writes one value with listing metadata; ttl zero means
// no expiry.
func (c *Client) PutWithMetadata(ctx context.Context, key string, value []byte, md map[string]string, ttl time.Duration) error {
	var buf bytes.Buffer
	mp := multipart.NewWriter(&buf)
	if err := mp.WriteField("value", string(value)); err != nil {
		return err
	}
	mdJSON, err := json.Marshal(md)
	if err != nil {
		return err
	}
	if err := mp.WriteField("metadata", string(mdJSON)); err != nil {
		return err
	}
	if err := mp.Close(); err != nil {
		return err
	}
	path := "/values/" + url.PathEscape(key)
	if ttl > 0 {
		path += "?expiration_ttl=" + strconv.Itoa(int(ttl.Seconds()))
	}
	return c.do(ctx, http.MethodPut, path, mp.FormDataContentType(), buf.Bytes(), nil)
}
