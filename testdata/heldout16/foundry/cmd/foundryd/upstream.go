package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// platform is a JSON client for the studio's internal services (accounts,
// mail, warehouse). It implements auth.Accounts and telemetry.Warehouse.
type platform struct {
	base string
	hc   *http.Client
}

func newPlatform(base string) platform {
	return platform{base: base, hc: &http.Client{Timeout: 10 * time.Second}}
}

func (p platform) do(ctx context.Context, method, path string, in, out any) error {
	body, _ := json.Marshal(in)
	req, err := http.NewRequestWithContext(ctx, method, p.base+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := p.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %s", method, path, resp.Status)
	}
	if out == nil {
		return nil
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

func (p platform) SetPassword(ctx context.Context, playerID, password string) error {
	return p.do(ctx, http.MethodPut, "/accounts/"+url.PathEscape(playerID)+"/password", map[string]string{"password": password}, nil)
}

func (p platform) SendReset(ctx context.Context, playerID, link string) error {
	return p.do(ctx, http.MethodPost, "/mail/send", map[string]string{"template": "password-reset", "player": playerID, "link": link}, nil)
}

func (p platform) Query(ctx context.Context, sql string, args ...any) ([]map[string]any, error) {
	var rows []map[string]any
	return rows, p.do(ctx, http.MethodPost, "/warehouse/query", map[string]any{"sql": sql, "args": args}, &rows)
}
