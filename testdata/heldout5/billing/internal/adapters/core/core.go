// Package core is the client for billing-core, the Postgres-backed service
// that owns customers, plans, the usage ledger and payment provider calls.
package core

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"example.com/billing/internal/dunning"
	"example.com/billing/internal/entitlement"
	"example.com/billing/internal/invoice"
	"example.com/billing/internal/quota"
	"example.com/billing/internal/usage"
)

// Client talks JSON over HTTP to billing-core.
type Client struct {
	BaseURL string
	HTTP    *http.Client
	Token   string
}

func (c *Client) call(ctx context.Context, method, path string, in, out any) error {
	var body bytes.Buffer
	if in != nil {
		if err := json.NewEncoder(&body).Encode(in); err != nil {
			return err
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, c.BaseURL+path, &body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	req.Header.Set("Content-Type", "application/json")
	res, err := c.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	switch {
	case res.StatusCode == http.StatusNotFound:
		return errNotFound
	case res.StatusCode/100 != 2:
		return fmt.Errorf("billing-core %s %s: %s", method, path, res.Status)
	}
	if out == nil {
		return nil
	}
	return json.NewDecoder(res.Body).Decode(out)
}

var errNotFound = fmt.Errorf("billing-core: not found")

// Append implements usage.Ledger.
func (c *Client) Append(ctx context.Context, ev usage.Event) error {
	return c.call(ctx, http.MethodPost, "/ledger", ev, nil)
}

// Totals implements usage.Ledger.
func (c *Client) Totals(ctx context.Context, customerID, period string) (map[string]int64, error) {
	var out map[string]int64
	err := c.call(ctx, http.MethodGet, "/ledger/"+url.PathEscape(customerID)+"/"+period, nil, &out)
	return out, err
}

// Plan implements quota.PlanSource.
func (c *Client) Plan(ctx context.Context, id string) (quota.Plan, error) {
	var p quota.Plan
	err := c.call(ctx, http.MethodGet, "/plans/"+url.PathEscape(id), nil, &p)
	if err == errNotFound {
		return p, quota.ErrUnknownPlan
	}
	return p, err
}

// PlanOf returns the customer's current plan ID.
func (c *Client) PlanOf(ctx context.Context, customerID string) (string, error) {
	var out struct{ PlanID string }
	err := c.call(ctx, http.MethodGet, "/customers/"+url.PathEscape(customerID)+"/plan", nil, &out)
	return out.PlanID, err
}

// Entitlements implements entitlement.Source.
func (c *Client) Entitlements(ctx context.Context, customerID string) (entitlement.Snapshot, error) {
	var s entitlement.Snapshot
	err := c.call(ctx, http.MethodGet, "/customers/"+url.PathEscape(customerID)+"/entitlements", nil, &s)
	return s, err
}

// QuotaWarning implements quota.Notifier.
func (c *Client) QuotaWarning(ctx context.Context, customerID, metric string, used, limit int64) error {
	return c.call(ctx, http.MethodPost, "/notifications/quota", map[string]any{"customer": customerID, "metric": metric, "used": used, "limit": limit}, nil)
}

// PaymentReminder implements dunning.Notifier.
func (c *Client) PaymentReminder(ctx context.Context, customerID string, stage dunning.Stage) error {
	return c.call(ctx, http.MethodPost, "/notifications/dunning", map[string]any{"customer": customerID, "stage": stage}, nil)
}

// SendMagicLink implements portal.Mailer.
func (c *Client) SendMagicLink(ctx context.Context, email, token string) error {
	return c.call(ctx, http.MethodPost, "/notifications/magic-link", map[string]string{"email": email, "token": token}, nil)
}

// Retry implements dunning.Charger.
func (c *Client) Retry(ctx context.Context, customerID string) error {
	return c.call(ctx, http.MethodPost, "/customers/"+url.PathEscape(customerID)+"/charge-retry", nil, nil)
}

// Create implements invoice.PayLinker.
func (c *Client) Create(ctx context.Context, f invoice.Final) (string, error) {
	var out struct{ URL string }
	err := c.call(ctx, http.MethodPost, "/paylinks", f, &out)
	return out.URL, err
}

// VerifyPassword checks portal credentials.
func (c *Client) VerifyPassword(ctx context.Context, email, password string) (string, error) {
	var out struct{ CustomerID string }
	err := c.call(ctx, http.MethodPost, "/auth/verify", map[string]string{"email": email, "password": password}, &out)
	return out.CustomerID, err
}
