package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"example.com/larkspur/internal/domain"
)

// directory is the client of the internal directory service, which owns
// the relational data: accounts, lists, plans and passwords.
type directory struct {
	base, token string
	client      *http.Client
}

func newDirectory(base, token string) *directory {
	return &directory{base: base, token: token, client: &http.Client{Timeout: 10 * time.Second}}
}

func (d *directory) call(ctx context.Context, method, path string, in, out any) error {
	var body bytes.Buffer
	if in != nil {
		if err := json.NewEncoder(&body).Encode(in); err != nil {
			return err
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, d.base+path, &body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+d.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := d.client.Do(req)
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

// PlanOf implements quota.Billing.
func (d *directory) PlanOf(ctx context.Context, senderID string) (domain.Plan, error) {
	var res struct{ Plan string }
	if err := d.call(ctx, http.MethodGet, "/senders/"+url.PathEscape(senderID)+"/plan", nil, &res); err != nil {
		return domain.PlanFree, err
	}
	return domain.ParsePlan(res.Plan)
}

// CountSubscribers implements jobs.Database.
func (d *directory) CountSubscribers(ctx context.Context, listID string) (int, error) {
	var res struct{ Count int }
	err := d.call(ctx, http.MethodGet, "/lists/"+url.PathEscape(listID)+"/count", nil, &res)
	return res.Count, err
}

// Active implements campaigns.Recipients.
func (d *directory) Active(ctx context.Context, listID string) ([]string, error) {
	var res []string
	err := d.call(ctx, http.MethodGet, "/lists/"+url.PathEscape(listID)+"/active", nil, &res)
	return res, err
}

// Verify implements editors.Passwords.
func (d *directory) Verify(ctx context.Context, userID, password string) (bool, error) {
	var res struct{ OK bool }
	err := d.call(ctx, http.MethodPost, "/users/"+url.PathEscape(userID)+"/verify", map[string]string{"password": password}, &res)
	return res.OK, err
}

// Set implements editors.Passwords.
func (d *directory) Set(ctx context.Context, userID, password string) error {
	return d.call(ctx, http.MethodPut, "/users/"+url.PathEscape(userID)+"/password", map[string]string{"password": password}, nil)
}

// SendBatch implements campaigns.Mailer through the mail provider, which
// the directory service fronts.
func (d *directory) SendBatch(ctx context.Context, dr domain.Draft, recipients []string) error {
	msg := map[string]any{"campaign_id": dr.ID, "subject": dr.Subject, "html": dr.HTML, "to": recipients}
	return d.call(ctx, http.MethodPost, "/mail/batches", msg, nil)
}
