// Package ledger is the client for the billing ledger service, the system of
// record for subscriptions, usage and invoices. Nothing here touches KV.
package ledger

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"example.com/billing/internal/entitlements"
	"example.com/billing/internal/invoices"
	"example.com/billing/internal/quota"
)

// Client calls the ledger's internal JSON API.
type Client struct {
	base string
	http *http.Client
}

// New returns a Client for baseURL.
func New(baseURL string) *Client {
	return &Client{base: baseURL, http: &http.Client{Timeout: 40 * time.Second}}
}

func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	var body bytes.Buffer
	if in != nil {
		if err := json.NewEncoder(&body).Encode(in); err != nil {
			return err
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, &body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode >= 300 {
		return fmt.Errorf("ledger %s %s: %s", method, path, res.Status)
	}
	if out == nil {
		return nil
	}
	return json.NewDecoder(res.Body).Decode(out)
}

func get[T any](ctx context.Context, c *Client, format string, args ...any) (T, error) {
	var out T
	return out, c.do(ctx, http.MethodGet, fmt.Sprintf(format, args...), nil, &out)
}

func (c *Client) Entitlements(ctx context.Context, customerID string) (entitlements.Entitlements, error) {
	return get[entitlements.Entitlements](ctx, c, "/customers/%s/entitlements", url.PathEscape(customerID))
}

func (c *Client) Limit(ctx context.Context, customerID, metric string) (int64, error) {
	return get[int64](ctx, c, "/customers/%s/limits/%s", url.PathEscape(customerID), url.PathEscape(metric))
}

func (c *Client) Catalog(ctx context.Context) ([]quota.Policy, error) {
	return get[[]quota.Policy](ctx, c, "/plans/policies")
}

func (c *Client) Customers(ctx context.Context) ([]string, error) {
	return get[[]string](ctx, c, "/customers/active")
}

func (c *Client) DueForBilling(ctx context.Context) ([]string, error) {
	return get[[]string](ctx, c, "/customers/due")
}

func (c *Client) Totals(ctx context.Context, customerID, period string) (map[string]int64, error) {
	return get[map[string]int64](ctx, c, "/customers/%s/usage/%s", url.PathEscape(customerID), period)
}

func (c *Client) FinalizedInvoices(ctx context.Context, since time.Time) ([]invoices.Invoice, error) {
	return get[[]invoices.Invoice](ctx, c, "/invoices/finalized?since=%d", since.Unix())
}

func (c *Client) EmitDelta(ctx context.Context, customerID string, delta map[string]int64) error {
	return c.do(ctx, http.MethodPost, "/customers/"+url.PathEscape(customerID)+"/usage-deltas", delta, nil)
}

// Query proxies a GraphQL query to the payment provider.
func (c *Client) Query(ctx context.Context, query string, vars map[string]any, out any) error {
	return c.do(ctx, http.MethodPost, "/provider/graphql", map[string]any{"query": query, "variables": vars}, out)
}

// StreamUsage long-polls the usage event feed from offset after.
func (c *Client) StreamUsage(ctx context.Context, after int64) <-chan quota.Event {
	out := make(chan quota.Event, 256)
	go func() {
		defer close(out)
		for ctx.Err() == nil {
			batch, err := get[[]quota.Event](ctx, c, "/usage/events?after=%d&wait=30s", after)
			if err != nil {
				time.Sleep(5 * time.Second)
				continue
			}
			for _, ev := range batch {
				select {
				case out <- ev:
					after = ev.Offset
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out
}
