// Package origin is the client for the ticketing origin API, the source of
// truth for events and venue pages. The Worker caches what it reads here.
package origin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// ErrNoSuchVenue is returned when the origin has no venue with that ID.
var ErrNoSuchVenue = errors.New("origin: no such venue")

// StatusError is a non-2xx answer from the origin.
type StatusError struct {
	URL    string
	Status int
}

func (e *StatusError) Error() string { return fmt.Sprintf("origin: %s answered %d", e.URL, e.Status) }

// Temporary reports whether the request may succeed if retried.
func (e *StatusError) Temporary() bool {
	return e.Status >= 500 || e.Status == http.StatusTooManyRequests
}

// Client fetches from the origin.
type Client struct {
	base    *url.URL
	http    *http.Client
	timeout time.Duration
}

// New returns a Client for base. hc may be nil.
func New(base string, hc *http.Client) (*Client, error) {
	u, err := url.Parse(base)
	if err != nil {
		return nil, fmt.Errorf("origin: base url: %w", err)
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	return &Client{base: u, http: hc, timeout: 8 * time.Second}, nil
}

// Event is an event as the origin describes it.
type Event struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	VenueID   string    `json:"venue_id"`
	StartsAt  time.Time `json:"starts_at"`
	SalesEnd  time.Time `json:"sales_end"`
	Capacity  int       `json:"capacity"`
	Published bool      `json:"published"`
}

func (c *Client) get(ctx context.Context, path string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	u := c.base.JoinPath(path)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return nil, ErrNoSuchVenue
	}
	if resp.StatusCode/100 != 2 {
		return nil, &StatusError{URL: u.String(), Status: resp.StatusCode}
	}
	return io.ReadAll(io.LimitReader(resp.Body, 4<<20))
}

// VenuePage returns the rendered venue page document.
func (c *Client) VenuePage(ctx context.Context, venueID string) ([]byte, error) {
	return c.get(ctx, "/venues/"+url.PathEscape(venueID)+"/page")
}

// SeatingChart returns the venue's seating chart document.
func (c *Client) SeatingChart(ctx context.Context, venueID string) ([]byte, error) {
	return c.get(ctx, "/venues/"+url.PathEscape(venueID)+"/chart")
}

// Event returns one event.
func (c *Client) Event(ctx context.Context, eventID string) (Event, error) {
	b, err := c.get(ctx, "/events/"+url.PathEscape(eventID))
	if err != nil {
		return Event{}, err
	}
	var ev Event
	if err := json.Unmarshal(b, &ev); err != nil {
		return Event{}, fmt.Errorf("origin: event %s: %w", eventID, err)
	}
	return ev, nil
}
