// Package origin is the client for the catalog database service, the
// source of truth for shows, episodes and billing. KV holds read-shaped
// projections of what this service returns.
package origin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// ErrNotFound is returned for unknown IDs.
var ErrNotFound = errors.New("origin: not found")

// Show is the authoritative show record.
type Show struct {
	ID        string    `json:"id"`
	Slug      string    `json:"slug"`
	Title     string    `json:"title"`
	OwnerID   string    `json:"owner_id"`
	Network   string    `json:"network"`
	Explicit  bool      `json:"explicit"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Episode is the authoritative episode record.
type Episode struct {
	ID     string `json:"id"`
	ShowID string `json:"show_id"`
	Title  string `json:"title"`
}

// DailyTotal is one day of aggregated downloads for a show.
type DailyTotal struct {
	Day       string `json:"day"`
	Downloads int64  `json:"downloads"`
	Listeners int64  `json:"listeners"`
}

// Client calls the origin service.
type Client struct {
	hc   *http.Client
	base *url.URL
}

// New returns a client for base.
func New(base string) (*Client, error) {
	u, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	return &Client{hc: &http.Client{Timeout: 10 * time.Second}, base: u}, nil
}

func (c *Client) get(ctx context.Context, p string, q url.Values, out any) error {
	u := c.base.JoinPath(p)
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return ErrNotFound
	case resp.StatusCode != http.StatusOK:
		return fmt.Errorf("origin: %s: HTTP %d", p, resp.StatusCode)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// Show fetches one show.
func (c *Client) Show(ctx context.Context, id string) (s Show, err error) {
	return s, c.get(ctx, "/shows/"+url.PathEscape(id), nil, &s)
}

// Episodes lists a show's published episodes, newest first.
func (c *Client) Episodes(ctx context.Context, showID string, limit int) (out []Episode, err error) {
	q := url.Values{"limit": {fmt.Sprint(limit)}}
	return out, c.get(ctx, "/shows/"+url.PathEscape(showID)+"/episodes", q, &out)
}

// Exists reports which of the episode IDs still exist.
func (c *Client) Exists(ctx context.Context, ids []string) (out map[string]bool, err error) {
	return out, c.get(ctx, "/episodes/exist", url.Values{"id": ids}, &out)
}

// DailyTotals returns aggregated downloads for a show between from and to.
func (c *Client) DailyTotals(ctx context.Context, showID string, from, to time.Time) (out []DailyTotal, err error) {
	q := url.Values{"from": {from.Format(time.DateOnly)}, "to": {to.Format(time.DateOnly)}}
	return out, c.get(ctx, "/shows/"+url.PathEscape(showID)+"/totals", q, &out)
}

// ActiveShows returns the IDs of shows with activity since t.
func (c *Client) ActiveShows(ctx context.Context, since time.Time) (out []string, err error) {
	return out, c.get(ctx, "/shows/active", url.Values{"since": {since.Format(time.RFC3339)}}, &out)
}
