//go:build js && wasm

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"example.com/tamarack/internal/lineup"
	"example.com/tamarack/internal/wristband"
)

// upstream talks to the festival's back-office services behind one gateway:
// box office, programming CMS, finance and the analytics warehouse.
type upstream struct {
	base  string
	token string
	hc    *http.Client
}

func newUpstream(base, token string) *upstream {
	return &upstream{base: base, token: token, hc: &http.Client{Timeout: 10 * time.Second}}
}

func (u *upstream) call(ctx context.Context, method, path string, in, out any) error {
	var body bytes.Buffer
	if in != nil {
		if err := json.NewEncoder(&body).Encode(in); err != nil {
			return err
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, u.base+path, &body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+u.token)
	resp, err := u.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: status %d", method, path, resp.StatusCode)
	}
	if out == nil {
		return nil
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

func (u *upstream) Ticket(ctx context.Context, id string) (wristband.Ticket, error) {
	var t wristband.Ticket
	return t, u.call(ctx, http.MethodGet, "/boxoffice/tickets/"+url.PathEscape(id), nil, &t)
}

func (u *upstream) Schedule(ctx context.Context, day string) (lineup.Schedule, error) {
	var s lineup.Schedule
	return s, u.call(ctx, http.MethodGet, "/cms/schedule?day="+url.QueryEscape(day), nil, &s)
}

func (u *upstream) Days(ctx context.Context) ([]string, error) {
	var days []string
	return days, u.call(ctx, http.MethodGet, "/cms/days", nil, &days)
}

// Verify checks staff credentials with the HR system and returns the role.
func (u *upstream) Verify(ctx context.Context, staffID, password string) (string, error) {
	var res struct {
		Role string `json:"role"`
	}
	in := map[string]string{"staff_id": staffID, "password": password}
	return res.Role, u.call(ctx, http.MethodPost, "/hr/verify", in, &res)
}

// Abandoned reports whether the checkout holding plot was abandoned. On
// errors it answers false so that holds are kept.
func (u *upstream) Abandoned(ctx context.Context, plot string) bool {
	var res struct {
		Abandoned bool `json:"abandoned"`
	}
	return u.call(ctx, http.MethodGet, "/payments/checkouts?plot="+url.QueryEscape(plot), nil, &res) == nil && res.Abandoned
}
