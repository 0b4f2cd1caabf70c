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

	"example.com/wren/edge/httpapi"
	"example.com/wren/edge/rfid"
	"example.com/wren/edge/tariffs"
)

// origin calls the backend API and the roaming hub.
type origin struct {
	base *url.URL
	http *http.Client
}

func newOrigin(base string, c *http.Client) *origin {
	u, err := url.Parse(base)
	if err != nil || u.Host == "" {
		u = &url.URL{Scheme: "https", Host: "api.wren-charging.example"}
	}
	return &origin{base: u, http: c}
}

var (
	_ httpapi.Backend = (*origin)(nil)
	_ rfid.Registry   = (*origin)(nil)
	_ tariffs.Fetcher = (*origin)(nil)
)

// do sends body as JSON and decodes a 2xx reply into out. It returns the
// status code; non-2xx replies are not an error.
func (o *origin) do(ctx context.Context, method, rawURL string, body, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, rawURL, rd)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := o.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode < 300 && out != nil {
		err = json.NewDecoder(io.LimitReader(resp.Body, 8<<20)).Decode(out)
	}
	return resp.StatusCode, err
}

func (o *origin) path(p ...string) string { return o.base.JoinPath(p...).String() }

func expect(code, want int, what string, err error) error {
	if err == nil && code != want {
		err = fmt.Errorf("origin: %s: status %d", what, code)
	}
	return err
}

func (o *origin) VerifyPassword(ctx context.Context, email, password string) (string, error) {
	var out struct {
		DriverID string `json:"driver_id"`
	}
	code, err := o.do(ctx, http.MethodPost, o.path("v1/auth/password"), map[string]string{"email": email, "password": password}, &out)
	if err == nil && code == http.StatusUnauthorized {
		return "", httpapi.ErrBadCredentials
	}
	return out.DriverID, expect(code, http.StatusOK, "verify password", err)
}

func (o *origin) ExchangePartnerCode(ctx context.Context, code string) error {
	st, err := o.do(ctx, http.MethodPost, o.path("v1/partners/exchange"), map[string]string{"code": code}, nil)
	return expect(st, http.StatusNoContent, "partner exchange", err)
}

func (o *origin) LookupCard(ctx context.Context, uidHex string) (rfid.Card, error) {
	var c rfid.Card
	st, err := o.do(ctx, http.MethodGet, o.path("v1/cards", url.PathEscape(uidHex)), nil, &c)
	if err == nil && st == http.StatusNotFound {
		return rfid.Card{}, rfid.ErrUnknownCard
	}
	return c, expect(st, http.StatusOK, "card", err)
}

func (o *origin) Tariff(ctx context.Context, id string) (tariffs.Tariff, error) {
	var t tariffs.Tariff
	st, err := o.do(ctx, http.MethodGet, o.path("v1/tariffs", url.PathEscape(id)), nil, &t)
	return t, expect(st, http.StatusOK, "tariff "+id, err)
}

func (o *origin) Fetch(ctx context.Context, hubURL string) ([]tariffs.Tariff, error) {
	var env struct {
		Data []tariffs.Tariff `json:"data"`
	}
	st, err := o.do(ctx, http.MethodGet, hubURL, nil, &env)
	return env.Data, expect(st, http.StatusOK, "partner hub", err)
}
