package svc

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// Catalog talks to the PocketBase admin, the system of record for lots, bids
// and bidder accounts.
type Catalog struct {
	BaseURL string
	HTTP    *http.Client
}

// LotJSON returns the lot record as the public projection's JSON.
func (c *Catalog) LotJSON(ctx context.Context, id string) ([]byte, error) {
	return c.do(ctx, http.MethodGet, "/api/kakapo/lots/"+url.PathEscape(id), nil)
}

// SimilarJSON returns lots similar to id, as ranked by the catalogue.
func (c *Catalog) SimilarJSON(ctx context.Context, query string, vars map[string]any) ([]byte, error) {
	return c.do(ctx, http.MethodPost, "/api/kakapo/graphql", map[string]any{"query": query, "variables": vars})
}

// CreateBid records a bid; PocketBase hooks validate it and update the summary.
func (c *Catalog) CreateBid(ctx context.Context, bid any) error {
	_, err := c.do(ctx, http.MethodPost, "/api/collections/bids/records", bid)
	return err
}

// CreateOrder turns a checkout into an order.
func (c *Catalog) CreateOrder(ctx context.Context, order any) (string, error) {
	raw, err := c.do(ctx, http.MethodPost, "/api/collections/orders/records", order)
	if err != nil {
		return "", err
	}
	var rec struct {
		ID string `json:"id"`
	}
	return rec.ID, json.Unmarshal(raw, &rec)
}

// Authenticate checks a bidder's password and returns the user id and paddle.
func (c *Catalog) Authenticate(ctx context.Context, identity, password string) (string, int, error) {
	raw, err := c.do(ctx, http.MethodPost, "/api/collections/users/auth-with-password",
		map[string]string{"identity": identity, "password": password})
	if err != nil {
		return "", 0, err
	}
	var res struct {
		Record struct {
			ID     string `json:"id"`
			Paddle int    `json:"paddle"`
		} `json:"record"`
	}
	if err := json.Unmarshal(raw, &res); err != nil {
		return "", 0, err
	}
	return res.Record.ID, res.Record.Paddle, nil
}

func (c *Catalog) do(ctx context.Context, method, path string, body any) ([]byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.BaseURL+path, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := c.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	if res.StatusCode >= 300 {
		return nil, fmt.Errorf("catalog %s %s: %s", method, path, res.Status)
	}
	return raw, nil
}

// SendSMS relays a text message through the catalogue's SMS gateway.
func (c *Catalog) SendSMS(ctx context.Context, phone, text string) error {
	_, err := c.do(ctx, http.MethodPost, "/api/kakapo/sms", map[string]string{"to": phone, "text": text})
	return err
}
