//go:build js && wasm

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"example.com/grebe/internal/domain"
)

// backend calls the Grebe backend API for what the edge cannot do itself:
// the member directory, e-mail and the printer gateways.
type backend struct {
	base  string
	token string
	hc    *http.Client
}

func newBackend(base, token string) *backend {
	return &backend{base: base, token: token, hc: http.DefaultClient}
}

func (b *backend) do(ctx context.Context, method, path string, in, out any) error {
	var body bytes.Buffer
	if in != nil {
		if err := json.NewEncoder(&body).Encode(in); err != nil {
			return err
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, b.base+path, &body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+b.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := b.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return domain.ErrUnknown
	case resp.StatusCode >= 300:
		return fmt.Errorf("backend %s %s: %s", method, path, resp.Status)
	case out != nil:
		return json.NewDecoder(resp.Body).Decode(out)
	}
	return nil
}

func (b *backend) ByEmail(ctx context.Context, email string) (domain.Member, error) {
	var m domain.Member
	err := b.do(ctx, http.MethodGet, "/internal/members?email="+url.QueryEscape(email), nil, &m)
	return m, err
}

func (b *backend) SendLink(ctx context.Context, to, link string) error {
	return b.do(ctx, http.MethodPost, "/internal/mail/link", map[string]string{"to": to, "url": link}, nil)
}

func (b *backend) GuestInvited(ctx context.Context, to string, body []byte) error {
	return b.do(ctx, http.MethodPost, "/internal/mail/invite", map[string]string{"to": to, "body": string(body)}, nil)
}

func (b *backend) GuestArrived(ctx context.Context, host domain.MemberID, guest string) error {
	return b.do(ctx, http.MethodPost, "/internal/notify/arrival", map[string]string{"host": string(host), "guest": guest}, nil)
}

func (b *backend) Send(ctx context.Context, printer string, job domain.PrintJob, from, to int) error {
	return b.do(ctx, http.MethodPost, "/internal/printers/"+url.PathEscape(printer)+"/jobs",
		map[string]any{"job": job, "from": from, "to": to}, nil)
}
