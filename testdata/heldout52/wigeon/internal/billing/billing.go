// Package billing reads the authoritative invoicing data from Postgres.
// Nothing in KV is the source of truth for money; KV holds projections,
// portal state and exported artefacts.
package billing

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// ErrNoRows is returned when a lookup matches nothing.
var ErrNoRows = errors.New("billing: not found")

// Invoice is an issued invoice.
type Invoice struct {
	ID         string    `json:"id"`
	TenantID   string    `json:"tenant_id"`
	CustomerID string    `json:"customer_id"`
	Number     string    `json:"number"`
	Currency   string    `json:"currency"`
	AmountDue  int64     `json:"amount_due"`
	AmountPaid int64     `json:"amount_paid"`
	DueAt      time.Time `json:"due_at"`
}

// Payment is one settled payment against an invoice.
type Payment struct {
	ID     string    `json:"id"`
	Amount int64     `json:"amount"`
	Method string    `json:"method"`
	At     time.Time `json:"at"`
}

// StatementRow is one line of a customer statement export.
type StatementRow struct {
	Invoice string    `json:"invoice"`
	Date    time.Time `json:"date"`
	Amount  int64     `json:"amount"`
	Balance int64     `json:"balance"`
}

// DB wraps the billing database.
type DB struct{ sql *sql.DB }

// Open returns a DB over an open *sql.DB.
func Open(db *sql.DB) *DB { return &DB{sql: db} }

func noRows(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNoRows
	}
	return err
}

// query runs q and scans every row with scan.
func query[T any](ctx context.Context, db *sql.DB, scan func(interface{ Scan(...any) error }) (T, error), q string, args ...any) ([]T, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func scanInvoice(row interface{ Scan(...any) error }) (Invoice, error) {
	var inv Invoice
	err := row.Scan(&inv.ID, &inv.TenantID, &inv.CustomerID, &inv.Number, &inv.Currency, &inv.AmountDue, &inv.AmountPaid, &inv.DueAt)
	return inv, noRows(err)
}

const invoiceCols = `id, tenant_id, customer_id, number, currency, amount_due, amount_paid, due_at`

// Invoice loads one invoice of the tenant.
func (d *DB) Invoice(ctx context.Context, tenantID, id string) (Invoice, error) {
	return scanInvoice(d.sql.QueryRowContext(ctx, `SELECT `+invoiceCols+` FROM invoices WHERE tenant_id = $1 AND id = $2`, tenantID, id))
}

// Payments lists the payments of an invoice, oldest first.
func (d *DB) Payments(ctx context.Context, tenantID, invoiceID string) ([]Payment, error) {
	return query(ctx, d.sql, func(r interface{ Scan(...any) error }) (Payment, error) {
		var p Payment
		return p, r.Scan(&p.ID, &p.Amount, &p.Method, &p.At)
	}, `SELECT id, amount, method, paid_at FROM payments WHERE tenant_id = $1 AND invoice_id = $2 ORDER BY paid_at`, tenantID, invoiceID)
}

// Overdue lists the tenant's unpaid invoices past due at asOf.
func (d *DB) Overdue(ctx context.Context, tenantID string, asOf time.Time) ([]Invoice, error) {
	return query(ctx, d.sql, scanInvoice,
		`SELECT `+invoiceCols+` FROM invoices WHERE tenant_id = $1 AND status = 'open' AND due_at < $2 ORDER BY due_at`, tenantID, asOf)
}

// Customers lists the IDs of the tenant's customers.
func (d *DB) Customers(ctx context.Context, tenantID string) ([]string, error) {
	return query(ctx, d.sql, func(r interface{ Scan(...any) error }) (string, error) {
		var id string
		return id, r.Scan(&id)
	}, `SELECT id FROM customers WHERE tenant_id = $1 ORDER BY id`, tenantID)
}

// Statement returns the statement rows of one customer.
func (d *DB) Statement(ctx context.Context, tenantID, customerID string) ([]StatementRow, error) {
	return query(ctx, d.sql, func(r interface{ Scan(...any) error }) (StatementRow, error) {
		var s StatementRow
		return s, r.Scan(&s.Invoice, &s.Date, &s.Amount, &s.Balance)
	}, `SELECT number, issued_at, amount_due, balance FROM customer_statement($1, $2)`, tenantID, customerID)
}

// PlanLimit returns the API requests per window allowed for the customer.
func (d *DB) PlanLimit(ctx context.Context, tenantID, customerID string) (int, error) {
	var n int
	err := d.sql.QueryRowContext(ctx, `SELECT p.requests_per_window FROM customers c JOIN plans p ON p.id = c.plan
		WHERE c.tenant_id = $1 AND c.id = $2`, tenantID, customerID).Scan(&n)
	return n, noRows(err)
}

// Branding returns the tenant's portal branding document (JSON).
func (d *DB) Branding(ctx context.Context, tenantID string) ([]byte, error) {
	var doc []byte
	err := d.sql.QueryRowContext(ctx, `SELECT branding FROM tenants WHERE id = $1`, tenantID).Scan(&doc)
	return doc, noRows(err)
}
