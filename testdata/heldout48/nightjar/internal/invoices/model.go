// Package invoices issues invoices and keeps the per-tenant invoice
// documents in Workers KV.
package invoices

import (
	"context"
	"time"

	"github.com/ledgerline/nightjar/internal/keys"
)

// Status values of an invoice.
const (
	StatusOpen = "open"
	StatusPaid = "paid"
)

// Line is one invoice line.
type Line struct {
	Description string `json:"description"`
	Quantity    int64  `json:"quantity"`
	UnitCents   int64  `json:"unit_cents"`
	TaxRateBP   int64  `json:"tax_rate_bp"`
}

// Payment is a settled payment against an invoice.
type Payment struct {
	ProviderID string    `json:"provider_id"`
	AmountCent int64     `json:"amount_cents"`
	At         time.Time `json:"at"`
}

// Invoice is the document stored under keys.InvoiceRef.
type Invoice struct {
	ID         string     `json:"id"`
	Tenant     string     `json:"tenant"`
	CustomerID string     `json:"customer_id"`
	Number     string     `json:"number"`
	Currency   string     `json:"currency"`
	Lines      []Line     `json:"lines"`
	TotalCents int64      `json:"total_cents"`
	Status     string     `json:"status"`
	IssuedAt   time.Time  `json:"issued_at"`
	DueAt      time.Time  `json:"due_at"`
	PaidAt     *time.Time `json:"paid_at,omitempty"`
	Payments   []Payment  `json:"payments,omitempty"`
}

// Ref returns the invoice's key.
func (inv *Invoice) Ref() keys.InvoiceRef { return keys.InvoiceRef{Tenant: inv.Tenant, ID: inv.ID} }

// Draft is the input to Issue.
type Draft struct {
	CustomerID string `json:"customer_id"`
	Currency   string `json:"currency"`
	Lines      []Line `json:"lines"`
	NetDays    int    `json:"net_days"`
}

// Settings are per-tenant invoicing settings.
type Settings struct {
	NumberPrefix string `json:"number_prefix"`
	NetDays      int    `json:"net_days"`
}

// Customer is the CRM record an invoice is addressed to.
type Customer struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
	TaxID string `json:"tax_id"`
}

// Source is the system of record behind the KV projections: the CRM and
// the reporting database.
type Source interface {
	Customer(ctx context.Context, tenant, id string) (Customer, error)
	AgingReport(ctx context.Context, sql string, tenant string) ([]byte, error)
}

func total(lines []Line) int64 {
	var sum int64
	for _, l := range lines {
		net := l.Quantity * l.UnitCents
		sum += net + net*l.TaxRateBP/10000
	}
	return sum
}
