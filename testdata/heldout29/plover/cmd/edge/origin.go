//go:build js && wasm

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/syumai/workers/cloudflare/fetch"

	"example.com/plover/internal/edge/payments"
	"example.com/plover/internal/league"
)

// backend talks to the league service over its internal API.
type backend struct {
	http  *http.Client
	base  string
	token string
}

func newBackend(base, token string) *backend {
	return &backend{http: fetch.NewClient().HTTPClient(fetch.RedirectModeFollow), base: base, token: token}
}

func (b *backend) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		buf, _ := json.Marshal(in)
		body = bytes.NewReader(buf)
	}
	req, err := http.NewRequestWithContext(ctx, method, b.base+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+b.token)
	req.Header.Set("Content-Type", "application/json")
	res, err := b.http.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode >= 300 {
		msg, _ := io.ReadAll(io.LimitReader(res.Body, 512))
		return fmt.Errorf("backend %s %s: %s: %s", method, path, res.Status, msg)
	}
	if out == nil {
		return nil
	}
	return json.NewDecoder(res.Body).Decode(out)
}

func get[Out any](ctx context.Context, b *backend, path string) (Out, error) {
	var out Out
	err := b.do(ctx, http.MethodGet, path, nil, &out)
	return out, err
}

func (b *backend) Standings(ctx context.Context, season league.SeasonID) ([]league.Standing, error) {
	return get[[]league.Standing](ctx, b, "/internal/standings/"+url.PathEscape(string(season)))
}

func (b *backend) LiveMatches(ctx context.Context, day time.Time) ([]league.Match, error) {
	return get[[]league.Match](ctx, b, "/internal/matches/live?day="+day.UTC().Format(time.DateOnly))
}

func (b *backend) ActiveSeasons(ctx context.Context) ([]league.SeasonID, error) {
	return get[[]league.SeasonID](ctx, b, "/internal/seasons/active")
}

func (b *backend) SubmitJoin(ctx context.Context, team league.TeamID, player league.PlayerID) error {
	return b.do(ctx, http.MethodPost, "/internal/joins", map[string]string{"team": string(team), "player": string(player)}, nil)
}

func (b *backend) RemindReferee(ctx context.Context, a league.Assignment) error {
	return b.do(ctx, http.MethodPost, "/internal/reminders", a, nil)
}

func (b *backend) Send(ctx context.Context, to, subject, body string) error {
	return b.do(ctx, http.MethodPost, "/internal/mail", map[string]string{"to": to, "subject": subject, "body": body}, nil)
}

// CreateCheckout asks the backend, which holds the processor's API key, to
// open a hosted checkout.
func (b *backend) CreateCheckout(ctx context.Context, reg payments.Registration) (payments.Checkout, error) {
	var co payments.Checkout
	err := b.do(ctx, http.MethodPost, "/internal/checkouts", reg, &co)
	return co, err
}
