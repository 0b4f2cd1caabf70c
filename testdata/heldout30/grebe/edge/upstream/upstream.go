// Package upstream caches the feeds the worker reads from other systems:
// room availability from the building management system, external room
// calendars and day-pass prices.
package upstream

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"example.com/grebe/internal/config"
	"example.com/grebe/internal/domain"
	"example.com/grebe/internal/store"
	"example.com/grebe/internal/ttl"
)

// ErrBackoff is returned while the upstream asked us to wait.
var ErrBackoff = errors.New("upstream: backing off")

// Client fetches feeds through a cache in the storage port.
type Client struct {
	http  *http.Client
	base  string
	cache store.Store
	cfg   config.Config
	now   func() time.Time
}

// New builds a client.
func New(hc *http.Client, cache store.Store, cfg config.Config) *Client {
	return &Client{http: hc, base: cfg.UpstreamBaseURL, cache: cache, cfg: cfg, now: time.Now}
}

func (c *Client) cached(ctx context.Context, key string) ([]byte, bool, error) {
	b, err := c.cache.Get(ctx, key)
	switch {
	case err == nil:
		return b, true, nil
	case errors.Is(err, store.ErrNotFound):
		return nil, false, nil
	default:
		return nil, false, err
	}
}

func (c *Client) fetch(ctx context.Context, path string) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
	if err != nil {
		return nil, nil, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp, body, err
}

// Availability returns the live desk and room availability of a site.
func (c *Client) Availability(ctx context.Context, site domain.SiteID) ([]byte, error) {
	key := "avail:" + string(site)
	if b, ok, err := c.cached(ctx, key); err != nil || ok {
		return b, err
	}
	if _, ok, _ := c.cached(ctx, "avail-backoff:"+string(site)); ok {
		return nil, ErrBackoff
	}
	resp, body, err := c.fetch(ctx, "/sites/"+url.PathEscape(string(site))+"/availability")
	if err != nil {
		return nil, err
	}
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		if wait, ok := ttl.RetryAfter(resp.Header, c.now()); ok {
			_ = c.cache.Put(ctx, "avail-backoff:"+string(site), []byte("1"), store.PutOptions{TTL: wait}) // DEBATABLE kvttl
		}
		return nil, ErrBackoff
	default:
		return nil, fmt.Errorf("upstream: availability %s: %s", site, resp.Status)
	}

	if maxAge, ok := ttl.MaxAge(resp.Header); ok {
		return body, c.cache.Put(ctx, key, body, store.PutOptions{TTL: max(maxAge, time.Minute)})
	}
	if exp, ok := ttl.Expires(resp.Header); ok {
		left := time.Until(exp)
		return body, c.cache.Put(ctx, key, body, store.PutOptions{TTL: left}) // EXPECT kvttl
	}
	life := ttl.Jitter(c.cfg.AvailabilityCache, c.cfg.AvailabilityJitter)
	return body, c.cache.Put(ctx, key, body, store.PutOptions{TTL: life})
}

// Prices returns the day-pass price list. The pricing service sets Expires
// to the next price change and rate-limits with Retry-After.
func (c *Client) Prices(ctx context.Context) ([]byte, error) {
	const key = "prices:daypass"
	if b, ok, err := c.cached(ctx, key); err != nil || ok {
		return b, err
	}
	if _, ok, _ := c.cached(ctx, "prices:backoff"); ok {
		return nil, ErrBackoff
	}
	resp, body, err := c.fetch(ctx, "/pricing/daypass")
	if err != nil {
		return nil, err
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		wait, ok := ttl.RetryAfter(resp.Header, c.now())
		if !ok {
			wait = 5 * time.Minute
		}
		_ = c.cache.Put(ctx, "prices:backoff", []byte("1"), store.PutOptions{TTL: max(wait, time.Minute)})
		return nil, ErrBackoff
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("upstream: prices: %s", resp.Status)
	}
	life := ttl.Jitter(time.Hour, 10*time.Minute)
	if exp, ok := ttl.Expires(resp.Header); ok {
		life = store.Floor(time.Until(exp))
	}
	if life <= 0 {
		return body, nil
	}
	return body, c.cache.Put(ctx, key, body, store.PutOptions{TTL: life})
}
