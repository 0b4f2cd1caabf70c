package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"example.com/kiln/internal/bookings"
	"example.com/kiln/internal/catalog"
)

// origin is the client for the studio-management monolith, which owns
// classes, accounts and payments. It satisfies the narrow ports each service
// declares.
type origin struct {
	base string
	hc   *http.Client
}

func (o *origin) call(ctx context.Context, method, path string, in, out any) error {
	var body bytes.Buffer
	if in != nil {
		if err := json.NewEncoder(&body).Encode(in); err != nil {
			return err
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, o.base+path, &body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := o.hc.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode >= 300 {
		return fmt.Errorf("origin %s %s: %s", method, path, res.Status)
	}
	if out == nil {
		return nil
	}
	return json.NewDecoder(res.Body).Decode(out)
}

func (o *origin) Class(ctx context.Context, id string) (c *bookings.Class, err error) {
	return c, o.call(ctx, "GET", "/classes/"+url.PathEscape(id), nil, &c)
}

func (o *origin) Studio(ctx context.Context, id string) (s *catalog.Studio, err error) {
	return s, o.call(ctx, "GET", "/studios/"+url.PathEscape(id), nil, &s)
}

func (o *origin) SeatsLeft(ctx context.Context, classID string) (n int, err error) {
	return n, o.call(ctx, "GET", "/classes/"+url.PathEscape(classID)+"/seats", nil, &n)
}

func (o *origin) CreateSession(ctx context.Context, checkoutID string, cents int64) (u string, err error) {
	in := map[string]any{"checkout": checkoutID, "amount": cents}
	return u, o.call(ctx, "POST", "/payments/sessions", in, &u)
}

func (o *origin) Lookup(ctx context.Context, email string) (string, string, error) {
	var out struct{ AdminID, StudioID string }
	err := o.call(ctx, "GET", "/admins?email="+url.QueryEscape(email), nil, &out)
	return out.AdminID, out.StudioID, err
}

func (o *origin) CheckPassword(ctx context.Context, adminID, password string) (ok bool, err error) {
	return ok, o.call(ctx, "POST", "/admins/"+adminID+"/verify", map[string]string{"password": password}, &ok)
}

func (o *origin) Send(ctx context.Context, to, subject, body string) error {
	return o.call(ctx, "POST", "/mail", map[string]string{"to": to, "subject": subject, "body": body}, nil)
}

func (o *origin) Totals(ctx context.Context) (int, int, error) {
	var out struct{ Studios, Bookings int }
	err := o.call(ctx, "GET", "/stats/totals", nil, &out)
	return out.Studios, out.Bookings, err
}

func (o *origin) QueueDepth(ctx context.Context) (n int, err error) {
	return n, o.call(ctx, "GET", "/firing/depth", nil, &n)
}

// payoutsAPI wraps the payment provider's transfer calls.
type payoutsAPI struct{ *origin }

func (p payoutsAPI) Send(ctx context.Context, instructorID string, cents int64, ref string) (id string, err error) {
	in := map[string]any{"instructor": instructorID, "amount": cents, "reference": ref}
	return id, p.call(ctx, "POST", "/payouts/transfers", in, &id)
}
