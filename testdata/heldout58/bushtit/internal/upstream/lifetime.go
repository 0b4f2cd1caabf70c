// Package upstream talks to the studio's internal services (profile service,
// region directory) and derives cache lifetimes from their responses.
package upstream

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// MaxAge returns the max-age directive of a Cache-Control header, or zero.
func MaxAge(h http.Header) time.Duration {
	for directive := range strings.SplitSeq(h.Get("Cache-Control"), ",") {
		name, val, ok := strings.Cut(strings.TrimSpace(directive), "=")
		if !ok || !strings.EqualFold(name, "max-age") {
			continue
		}
		n, err := strconv.Atoi(strings.Trim(val, `"`))
		if err != nil || n < 0 {
			return 0
		}
		return time.Duration(n) * time.Second
	}
	return 0
}

// RetryAfter parses a Retry-After header given either in seconds or as an
// HTTP date.
func RetryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(v); err == nil {
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return t.Sub(now)
	}
	return 0
}

// ExpiresAt parses the Expires header.
func ExpiresAt(h http.Header) (time.Time, bool) {
	t, err := http.ParseTime(h.Get("Expires"))
	return t, err == nil
}

// Client fetches JSON documents from internal services.
type Client struct {
	HTTP *http.Client
	Base string
}

// Fetch GETs path, decodes the body into v and returns the response headers.
func (c *Client) Fetch(ctx context.Context, path string, v any) (http.Header, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.Base+path, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return resp.Header, fmt.Errorf("%s: %s", path, resp.Status)
	}
	return resp.Header, json.NewDecoder(resp.Body).Decode(v)
}
