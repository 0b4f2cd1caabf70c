// Package sis is a thin client for the student-information system, the
// source of truth for the catalogue and enrolment numbers.
package sis

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/kokako-uni/kokako/internal/roster"
	"github.com/kokako-uni/kokako/internal/term"
)

// Client talks to the SIS JSON API.
type Client struct {
	base string
	http *http.Client
}

// New returns a client for the SIS at base.
func New(base string) *Client { return &Client{base: base, http: http.DefaultClient} }

func (c *Client) get(ctx context.Context, path string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
	if err != nil {
		return err
	}
	res, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("sis %s: %s", path, res.Status)
	}
	return json.NewDecoder(res.Body).Decode(out)
}

// Sections lists the sections of a term.
func (c *Client) Sections(ctx context.Context, termID string) ([]term.Section, error) {
	var out []term.Section
	return out, c.get(ctx, "/terms/"+url.PathEscape(termID)+"/sections", &out)
}

// Blurb returns a course description.
func (c *Client) Blurb(ctx context.Context, course string) (string, error) {
	var out struct{ Text string }
	return out.Text, c.get(ctx, "/courses/"+url.PathEscape(course)+"/blurb", &out)
}

// OpenSeats returns the number of open seats in a section.
func (c *Client) OpenSeats(ctx context.Context, section string) (int, error) {
	var out struct{ Open int }
	return out.Open, c.get(ctx, "/sections/"+url.PathEscape(section)+"/seats", &out)
}

// Capacity returns a section's capacity.
func (c *Client) Capacity(ctx context.Context, section string) (int, error) {
	var out struct{ Capacity int }
	return out.Capacity, c.get(ctx, "/sections/"+url.PathEscape(section)+"/seats", &out)
}

// Upload sends a roster to the LMS bridge.
func (c *Client) Upload(ctx context.Context, section string, rows []roster.Row) error {
	body, err := json.Marshal(rows)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, c.base+"/lms/rosters/"+url.PathEscape(section), bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := c.http.Do(req)
	if err != nil {
		return err
	}
	res.Body.Close()
	if res.StatusCode >= 300 {
		return fmt.Errorf("lms upload %s: %s", section, res.Status)
	}
	return nil
}
