package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"example.com/wren/backend/accounts"
	"example.com/wren/backend/payments"
)

// call posts in as JSON to base+path and decodes the reply into out.
func call(ctx context.Context, hc *http.Client, base, path string, in, out any) error {
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+path, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s: %s", path, resp.Status)
	}
	if out == nil {
		return nil
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// identity is the internal identity service: account directory and mail.
type identity struct {
	base string
	http *http.Client
}

var (
	_ accounts.Directory = (*identity)(nil)
	_ accounts.Mailer    = (*identity)(nil)
)

func (i *identity) CreateDriver(ctx context.Context, d accounts.Driver, password string) error {
	return call(ctx, i.http, i.base, "/drivers", map[string]any{"driver": d, "password": password}, nil)
}

func (i *identity) VerifyPassword(ctx context.Context, id, password string) error {
	err := call(ctx, i.http, i.base, "/drivers/verify", map[string]string{"id": id, "password": password}, nil)
	if err != nil {
		return accounts.ErrBadCredentials
	}
	return nil
}

func (i *identity) SetPassword(ctx context.Context, id, password string) error {
	return call(ctx, i.http, i.base, "/drivers/password", map[string]string{"id": id, "password": password}, nil)
}

func (i *identity) RefreshTokenDigests(ctx context.Context, id string) (ds []string, err error) {
	err = call(ctx, i.http, i.base, "/drivers/refresh-tokens", map[string]string{"id": id}, &ds)
	return ds, err
}

func (i *identity) SendCode(ctx context.Context, email, code string) error {
	return call(ctx, i.http, i.base, "/mail/login-code", map[string]string{"to": email, "code": code}, nil)
}

// processor is the card processor's API.
type processor struct {
	base string
	http *http.Client
}

var _ payments.Provider = (*processor)(nil)

func (p *processor) Authorize(ctx context.Context, driverID string, cents int64, cur string) (ref string, err error) {
	var out struct{ Ref string }
	err = call(ctx, p.http, p.base, "/authorizations", map[string]any{"customer": driverID, "amount": cents, "currency": cur}, &out)
	return out.Ref, err
}

func (p *processor) Capture(ctx context.Context, ref string, cents int64) (string, error) {
	var out struct{ ReceiptURL string }
	err := call(ctx, p.http, p.base, "/captures", map[string]any{"ref": ref, "amount": cents}, &out)
	return out.ReceiptURL, err
}

func (p *processor) Receipt(ctx context.Context, receiptURL string) ([]byte, error) {
	var out struct{ PDF []byte }
	err := call(ctx, p.http, p.base, "/receipts", map[string]string{"url": receiptURL}, &out)
	return out.PDF, err
}
