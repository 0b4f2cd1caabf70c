package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"example.com/juniper/internal/auth"
	"example.com/juniper/internal/availability"
	"example.com/juniper/internal/invites"
	"example.com/juniper/internal/reservations"
)

// core is the client for juniper-core, the service that owns the
// relational data (staff, reservations, billing, floor plans). It satisfies
// the collaborator interfaces of the KV-facing packages.
type core struct {
	base, token string
	http        *http.Client
}

func newCore(base, token string) *core {
	return &core{base: base, token: token, http: &http.Client{Timeout: 5 * time.Second}}
}

func call[Resp any](ctx context.Context, c *core, method, path string, body any) (out Resp, err error) {
	b, err := json.Marshal(body)
	if err != nil {
		return out, err
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, bytes.NewReader(b))
	if err != nil {
		return out, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/json")
	res, err := c.http.Do(req)
	if err != nil {
		return out, err
	}
	defer res.Body.Close()
	switch {
	case res.StatusCode == http.StatusUnauthorized:
		return out, auth.ErrBadCredentials
	case res.StatusCode >= 300:
		return out, fmt.Errorf("core: %s %s: %s", method, path, res.Status)
	case res.StatusCode == http.StatusNoContent:
		return out, nil
	}
	return out, json.NewDecoder(res.Body).Decode(&out)
}

type none struct{}

func esc(s string) string { return url.PathEscape(s) }

func (c *core) Verify(ctx context.Context, email, password string) (string, []string, error) {
	r, err := call[struct {
		StaffID string   `json:"staff"`
		Venues  []string `json:"venues"`
	}](ctx, c, "POST", "/staff/verify", map[string]string{"email": email, "password": password})
	return r.StaffID, r.Venues, err
}

func (c *core) SetPassword(ctx context.Context, email, password string) error {
	_, err := call[none](ctx, c, "PUT", "/staff/password", map[string]string{"email": email, "password": password})
	return err
}

func (c *core) SendReset(ctx context.Context, email, link string) error {
	_, err := call[none](ctx, c, "POST", "/mail/reset", map[string]string{"email": email, "link": link})
	return err
}

func (c *core) Add(ctx context.Context, m invites.Membership) error {
	_, err := call[none](ctx, c, "POST", "/venues/"+esc(m.VenueID)+"/members", m)
	return err
}

func (c *core) Insert(ctx context.Context, r reservations.Reservation) error {
	_, err := call[none](ctx, c, "POST", "/reservations", r)
	return err
}

func (c *core) Cancel(ctx context.Context, id string) (reservations.Reservation, error) {
	return call[reservations.Reservation](ctx, c, "DELETE", "/reservations/"+esc(id), nil)
}

func (c *core) Summary(ctx context.Context, day time.Time) (reservations.Summary, error) {
	return call[reservations.Summary](ctx, c, "GET", "/reservations/summary?day="+day.Format(time.DateOnly), nil)
}

func (c *core) Usage(ctx context.Context, venueID, month string) (int, int, error) {
	r, err := call[struct{ Used, Limit int }](ctx, c, "GET", "/billing/"+esc(venueID)+"/usage?month="+month, nil)
	return r.Used, r.Limit, err
}

func (c *core) RecordBooking(ctx context.Context, venueID, month string) error {
	_, err := call[none](ctx, c, "POST", "/billing/"+esc(venueID)+"/bookings?month="+month, nil)
	return err
}

func (c *core) SittingSlots(ctx context.Context, venueID string, day time.Time, sitting string) ([]availability.Slot, error) {
	q := url.Values{"day": {day.Format(time.DateOnly)}, "sitting": {sitting}}
	return call[[]availability.Slot](ctx, c, "GET", "/venues/"+esc(venueID)+"/slots?"+q.Encode(), nil)
}

func (c *core) Capacity(ctx context.Context, venueID string) (availability.Capacity, error) {
	return call[availability.Capacity](ctx, c, "GET", "/venues/"+esc(venueID)+"/capacity", nil)
}

func (c *core) PartnerFeed(ctx context.Context, venueID, from, to string, party int) ([]byte, error) {
	return call[json.RawMessage](ctx, c, "POST", "/partner/availability",
		map[string]any{"venue": venueID, "from": from, "to": to, "party": party})
}
