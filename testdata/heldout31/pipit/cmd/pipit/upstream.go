package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"example.com/pipit/internal/auth"
	"example.com/pipit/internal/availability"
	"example.com/pipit/internal/doorcode"
)

// api is a small JSON-over-HTTP client for the upstream systems.
type api struct {
	base  string
	token func(ctx context.Context) (string, error)
}

var upstreamClient = &http.Client{Timeout: 15 * time.Second}

func (a api) do(ctx context.Context, method, path string, in, out any) error {
	body, _ := json.Marshal(in)
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if a.token != nil {
		tok, err := a.token(ctx)
		if err != nil {
			return fmt.Errorf("upstream token: %w", err)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	res, err := upstreamClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %s", method, path, res.Status)
	}
	if out == nil {
		return nil
	}
	return json.NewDecoder(res.Body).Decode(out)
}

// Offers, Query, Program and Locks are the property management system's and
// the lock vendor's endpoints; each client instance points at one of them.
var (
	_ availability.Source = api{}
	_ doorcode.LockVendor = api{}
)

func (p api) Offers(ctx context.Context, stay availability.Stay) (out []availability.Offer, err error) {
	q := url.Values{"from": {stay.From.Format(time.DateOnly)}, "to": {stay.To.Format(time.DateOnly)}, "guests": {strconv.Itoa(stay.Guests)}}
	return out, p.do(ctx, http.MethodGet, "/properties/"+url.PathEscape(stay.PropertyID)+"/offers?"+q.Encode(), nil, &out)
}

func (p api) Query(ctx context.Context, sql string, args ...any) (out []map[string]any, err error) {
	return out, p.do(ctx, http.MethodPost, "/reports/query", map[string]any{"sql": sql, "args": args}, &out)
}

func (l api) Program(ctx context.Context, propertyID, room, code string, until time.Time) error {
	in := map[string]any{"room": room, "code": code, "valid_until": until.UTC()}
	return l.do(ctx, http.MethodPost, "/sites/"+url.PathEscape(propertyID)+"/codes", in, nil)
}

func (l api) Locks(ctx context.Context, propertyID string, since int64) (out []doorcode.Lock, err error) {
	return out, l.do(ctx, http.MethodGet, "/sites/"+url.PathEscape(propertyID)+"/locks?since="+strconv.FormatInt(since, 10), nil, &out)
}

// Verify checks a token with the identity provider's introspection endpoint.
func (a api) Verify(ctx context.Context, token string) (auth.Claims, error) {
	var out struct {
		Active bool `json:"active"`
		auth.Claims
	}
	if err := a.do(ctx, http.MethodPost, "", map[string]string{"token": token}, &out); err != nil || !out.Active {
		return auth.Claims{}, errors.Join(err, errors.New("token inactive"))
	}
	return out.Claims, nil
}
