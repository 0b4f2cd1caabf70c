// Package billing records metered usage and publishes invoice data the
// customer dashboard (a Worker) reads from KV.
package billing

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"example.com/ops/internal/config"
)

// Usage is the month-to-date usage of one account.
type Usage struct {
	Requests    int64     `json:"requests"`
	EgressBytes int64     `json:"egress_bytes"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Meter writes usage to the billing namespace.
type Meter struct {
	client  *cloudflare.Client
	account string
	db      *sql.DB
}

// NewMeter returns a Meter.
func NewMeter(client *cloudflare.Client, account string, db *sql.DB) *Meter {
	return &Meter{client: client, account: account, db: db}
}

func monthKey(prefix, customer string, t time.Time) string {
	return prefix + customer + ":" + t.UTC().Format("2006-01")
}

// Record adds a batch of requests and egress bytes to the customer's
// month-to-date usage.
func (m *Meter) Record(ctx context.Context, customer string, requests, egress int64) error {
	key := monthKey("usage:", customer, time.Now())
	var u Usage
	res, err := m.client.KV.Namespaces.Values.Get(ctx, config.NamespaceBilling, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(m.account),
	})
	var apiErr *cloudflare.Error
	switch {
	case err == nil:
		defer res.Body.Close()
		if err := json.NewDecoder(res.Body).Decode(&u); err != nil {
			return fmt.Errorf("decode %s: %w", key, err)
		}
	case errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound:
	default:
		return err
	}

	u.Requests += requests
	u.EgressBytes += egress
	u.UpdatedAt = time.Now().UTC()
	b, err := json.Marshal(u)
	if err != nil {
		return err
	}
	_, err = m.client.KV.Namespaces.Values.Update(ctx, config.NamespaceBilling, key, kv.NamespaceValueUpdateParams{ // EXPECT kvcounter|kvrace
		AccountID: cloudflare.F(m.account),
		Value:     cloudflare.F(string(b)),
	})
	return err
}

// PublishInvoiceTotals copies the closed month's totals, computed by the
// billing database, to KV for the dashboard.
func (m *Meter) PublishInvoiceTotals(ctx context.Context, customer string, month time.Time) error {
	var total struct {
		Requests    int64 `json:"requests"`
		EgressBytes int64 `json:"egress_bytes"`
		AmountCents int64 `json:"amount_cents"`
		LineItems   int   `json:"line_items"`
	}
	err := m.db.QueryRowContext(ctx, `
		SELECT coalesce(sum(requests),0), coalesce(sum(egress_bytes),0), coalesce(sum(amount_cents),0), count(*)
		FROM invoice_lines WHERE customer_id = $1 AND period = date_trunc('month', $2::timestamptz)`,
		customer, month).Scan(&total.Requests, &total.EgressBytes, &total.AmountCents, &total.LineItems)
	if err != nil {
		return err
	}
	b, _ := json.Marshal(total)
	_, err = m.client.KV.Namespaces.Values.Update(ctx, config.NamespaceBilling, monthKey("invoice:", customer, month), kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(m.account),
		Value:     cloudflare.F(string(b)),
	})
	return err
}

// PublishInvoiceLink stores the presigned PDF link for the dashboard's
// "Download invoice" button until the link itself expires.
func (m *Meter) PublishInvoiceLink(ctx context.Context, customer string, month time.Time, url string) error {
	expires := time.Now().Add(config.InvoiceLinkTTL)
	_, err := m.client.KV.Namespaces.Values.Update(ctx, config.NamespaceBilling, monthKey("invoice-pdf:", customer, month), kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(m.account),
		Value:      cloudflare.F(url),
		Expiration: cloudflare.F(float64(expires.Unix() * 1000)), // EXPECT kvttl
	})
	return err
}

// PublishReceiptLink is the same for one-off receipts, whose links are
// shorter-lived.
func (m *Meter) PublishReceiptLink(ctx context.Context, customer, chargeID, url string, linkTTL time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(m.account),
		Value:     cloudflare.F(url),
	}
	params.ExpirationTTL = cloudflare.F(float64(linkTTL.Milliseconds())) // EXPECT kvttl
	_, err := m.client.KV.Namespaces.Values.Update(ctx, config.NamespaceBilling, "receipt-pdf:"+customer+":"+chargeID, params)
	return err
}
