//go:build js && wasm

// Package origin fetches authoritative data from the helpdesk API behind the
// Worker. The edge caches what it returns in KV.
package origin

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/syumai/workers/cloudflare/fetch"

	"github.com/helpdeskco/sanderling/internal/load"
)

// Client calls the origin API.
type Client struct {
	base string
	http *fetch.Client
}

// New returns a client for the origin at base.
func New(base string) *Client {
	return &Client{base: strings.TrimRight(base, "/"), http: fetch.NewClient()}
}

// Get fetches path from the origin.
func (c *Client) Get(ctx context.Context, path string) ([]byte, error) {
	req, err := fetch.NewRequest(ctx, http.MethodGet, c.base+path, nil)
	if err != nil {
		return nil, err
	}
	res, err := c.http.Do(req, nil)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("origin %s: %s", path, res.Status)
	}
	return io.ReadAll(res.Body)
}

// Post sends body to path on the origin.
func (c *Client) Post(ctx context.Context, path string, body io.Reader) error {
	req, err := fetch.NewRequest(ctx, http.MethodPost, c.base+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := c.http.Do(req, nil)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode >= 300 {
		return fmt.Errorf("origin %s: %s", path, res.Status)
	}
	return nil
}

// Source returns a loader that maps a KV key to an origin path under dir.
func (c *Client) Source(dir string) load.Loader {
	return load.LoaderFunc(func(ctx context.Context, key string) ([]byte, error) {
		return c.Get(ctx, dir+"/"+key)
	})
}
