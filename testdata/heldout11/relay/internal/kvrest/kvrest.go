// Package kvrest is a minimal Workers KV client over plain net/http. It
// predates the move to cloudflare-go and is still used by the push service,
// which also ships as a separate, smaller binary.
package kvrest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

const (
	namespacePath = "/accounts/%s/storage/kv/namespaces/%s"
	valuesPath    = namespacePath + "/values/%s"
	keysPath      = namespacePath + "/keys"
	bulkGetPath   = namespacePath + "/bulk/get"
)

// MaxBulkGet is the most keys one bulk read may ask for.
const MaxBulkGet = 100

// ErrNotFound is returned by Get for a missing key.
var ErrNotFound = errors.New("kvrest: key not found")

// Client talks to one namespace.
type Client struct {
	HTTP        *http.Client
	Base        string // e.g. https://api.cloudflare.com/client/v4
	AccountID   string
	NamespaceID string
	Token       string
}

func (c *Client) do(ctx context.Context, method, u string, body []byte) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	res, err := c.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	if res.StatusCode == http.StatusNotFound {
		res.Body.Close()
		return nil, ErrNotFound
	}
	if res.StatusCode/100 != 2 {
		defer res.Body.Close()
		b, _ := io.ReadAll(io.LimitReader(res.Body, 512))
		return nil, fmt.Errorf("kvrest: %s %s: %s %s", method, req.URL.Path, res.Status, b)
	}
	return res, nil
}

func (c *Client) valueURL(key string, q url.Values) string {
	u := c.Base + fmt.Sprintf(valuesPath, c.AccountID, c.NamespaceID, url.PathEscape(key))
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

// Get returns the value of key, or ErrNotFound.
func (c *Client) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := c.do(ctx, http.MethodGet, c.valueURL(key, nil), nil)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// Put writes value; ttl of zero means no expiry.
func (c *Client) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	q := url.Values{}
	if ttl > 0 {
		q.Set("expiration_ttl", strconv.Itoa(int(ttl.Seconds())))
	}
	return c.put(ctx, c.valueURL(key, q), value)
}

// PutUntil writes value to expire at the given unix time.
func (c *Client) PutUntil(ctx context.Context, key string, value []byte, expiration int64) error {
	q := url.Values{"expiration": {strconv.FormatInt(expiration, 10)}}
	return c.put(ctx, c.valueURL(key, q), value)
}

func (c *Client) put(ctx context.Context, u string, value []byte) error {
	res, err := c.do(ctx, http.MethodPut, u, value)
	if err != nil {
		return err
	}
	return res.Body.Close()
}

// Delete removes key. Deleting a missing key is not an error.
func (c *Client) Delete(ctx context.Context, key string) error {
	res, err := c.do(ctx, http.MethodDelete, c.valueURL(key, nil), nil)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return res.Body.Close()
}

// ListPage returns one page of key names under prefix, and the next cursor.
func (c *Client) ListPage(ctx context.Context, prefix, cursor string, limit int) ([]string, string, error) {
	q := url.Values{"limit": {strconv.Itoa(limit)}}
	if prefix != "" {
		q.Set("prefix", prefix)
	}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	res, err := c.do(ctx, http.MethodGet, c.Base+fmt.Sprintf(keysPath, c.AccountID, c.NamespaceID)+"?"+q.Encode(), nil)
	if err != nil {
		return nil, "", err
	}
	defer res.Body.Close()
	var env struct {
		Result     []struct{ Name string } `json:"result"`
		ResultInfo struct{ Cursor string } `json:"result_info"`
	}
	if err := json.NewDecoder(res.Body).Decode(&env); err != nil {
		return nil, "", err
	}
	names := make([]string, 0, len(env.Result))
	for _, r := range env.Result {
		names = append(names, r.Name)
	}
	return names, env.ResultInfo.Cursor, nil
}

// Keys returns up to maxPages pages of key names under prefix.
func (c *Client) Keys(ctx context.Context, prefix string, maxPages int) ([]string, error) {
	names, cursor, err := c.ListPage(ctx, prefix, "", 1000)
	for page := 1; err == nil && cursor != "" && page < maxPages; page++ {
		var more []string
		more, cursor, err = c.ListPage(ctx, "", cursor, 1000) // EXPECT kvlist
		names = append(names, more...)
	}
	return names, err
}

// BulkGet reads up to MaxBulkGet text values in one request. Missing keys
// are absent from the result.
func (c *Client) BulkGet(ctx context.Context, keys []string) (map[string]string, error) {
	if len(keys) > MaxBulkGet {
		return nil, fmt.Errorf("kvrest: bulk read of %d keys exceeds %d", len(keys), MaxBulkGet)
	}
	body, _ := json.Marshal(map[string]any{"keys": keys, "type": "text"})
	res, err := c.do(ctx, http.MethodPost, c.Base+fmt.Sprintf(bulkGetPath, c.AccountID, c.NamespaceID), body)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	var env struct {
		Result struct {
			Values map[string]*string `json:"values"`
		} `json:"result"`
	}
	if err := json.NewDecoder(res.Body).Decode(&env); err != nil {
		return nil, err
	}
	out := make(map[string]string, len(env.Result.Values))
	for k, v := range env.Result.Values {
		if v != nil {
			out[k] = *v
		}
	}
	return out, nil
}
