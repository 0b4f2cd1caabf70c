package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"example.com/otter/internal/payments"
)

type pspClient struct {
	base, secret string
	http         *http.Client
}

func newPSP(base, secret string) *pspClient {
	return &pspClient{base: base, secret: secret, http: &http.Client{Timeout: 20 * time.Second}}
}

func (p *pspClient) do(ctx context.Context, method, path string, body any, idem string, out any) error {
	var buf bytes.Buffer
	if body != nil {
		_ = json.NewEncoder(&buf).Encode(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, p.base+path, &buf)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+p.secret)
	req.Header.Set("Content-Type", "application/json")
	if idem != "" {
		req.Header.Set("Idempotency-Key", idem)
	}
	res, err := p.http.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("psp %s %s: %s", method, path, res.Status)
	}
	return json.NewDecoder(res.Body).Decode(out)
}

func (p *pspClient) Charge(ctx context.Context, req payments.ChargeRequest, idem string) (out payments.ChargeResult, err error) {
	err = p.do(ctx, http.MethodPost, "/v1/charges", req, idem, &out)
	return out, err
}

func (p *pspClient) Rates(ctx context.Context, base string, day time.Time) (map[string]float64, error) {
	var out struct {
		Rates map[string]float64 `json:"rates"`
	}
	q := url.Values{"base": {base}, "date": {day.UTC().Format(time.DateOnly)}}
	err := p.do(ctx, http.MethodGet, "/v1/fx/rates?"+q.Encode(), nil, "", &out)
	return out.Rates, err
}

func logMailer(log *slog.Logger) func(ctx context.Context, to, subject, body string) error {
	return func(ctx context.Context, to, subject, body string) error {
		log.InfoContext(ctx, "mail", "to", to, "subject", subject, "bytes", len(body))
		return nil
	}
}
