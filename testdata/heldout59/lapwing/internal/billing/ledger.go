// Package billing reads the ledger database, the source of truth for
// customers, invoices and portal users. KV only ever holds copies.
package billing

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// ErrNoRows is returned when a lookup matches nothing.
var ErrNoRows = errors.New("billing: not found")

// Customer is a B2B account.
type Customer struct {
	ID, Name, BillingEmail, Plan, Locale string
}

// User is a portal login belonging to a customer.
type User struct {
	ID, CustomerID, Email string
	MFAEnabled            bool
}

// Invoice is an issued invoice.
type Invoice struct {
	ID, Number, CustomerID string
	AmountCents            int64
	Currency               string
	Status                 string // open, paid, void
	IssuedAt, DueAt        time.Time
	ViewCount              int
}

// Ledger is the read/write surface the portal services use.
type Ledger interface {
	Customer(ctx context.Context, id string) (Customer, error)
	Customers(ctx context.Context) ([]Customer, error)
	Invoice(ctx context.Context, id string) (Invoice, error)
	OpenInvoices(ctx context.Context, customerID string) ([]Invoice, error)
	OverdueInvoices(ctx context.Context, asOf time.Time) ([]Invoice, error)
	MarkPaid(ctx context.Context, invoiceID, paymentRef string) error
	Authenticate(ctx context.Context, email, password string) (User, error)
	UserByEmail(ctx context.Context, email string) (User, error)
	SetPassword(ctx context.Context, userID, password string) error
	RenderInvoice(ctx context.Context, inv Invoice, format string) ([]byte, error)
}

// SQLLedger implements Ledger on the ledger database.
type SQLLedger struct {
	db     *sql.DB
	render func(Invoice, string) ([]byte, error)
}

// NewSQLLedger wraps an open database handle.
func NewSQLLedger(db *sql.DB, render func(Invoice, string) ([]byte, error)) *SQLLedger {
	return &SQLLedger{db: db, render: render}
}

type scanner interface{ Scan(...any) error }

func query[T any](ctx context.Context, db *sql.DB, scan func(scanner) (T, error), q string, args ...any) ([]T, error) {
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

func one[T any](v T, err error) (T, error) {
	if errors.Is(err, sql.ErrNoRows) {
		return v, ErrNoRows
	}
	return v, err
}

const (
	customerCols = `id, name, billing_email, plan, locale`
	invoiceCols  = `id, number, customer_id, amount_cents, currency, status, issued_at, due_at, view_count`
	userCols     = `id, customer_id, email, mfa_enabled`
)

func scanCustomer(s scanner) (c Customer, err error) {
	err = s.Scan(&c.ID, &c.Name, &c.BillingEmail, &c.Plan, &c.Locale)
	return
}

func scanInvoice(s scanner) (i Invoice, err error) {
	err = s.Scan(&i.ID, &i.Number, &i.CustomerID, &i.AmountCents, &i.Currency, &i.Status, &i.IssuedAt, &i.DueAt, &i.ViewCount)
	return
}

func scanUser(s scanner) (u User, err error) {
	err = s.Scan(&u.ID, &u.CustomerID, &u.Email, &u.MFAEnabled)
	return
}

func (l *SQLLedger) Customer(ctx context.Context, id string) (Customer, error) {
	return one(scanCustomer(l.db.QueryRowContext(ctx, `SELECT `+customerCols+` FROM customers WHERE id = $1`, id)))
}

func (l *SQLLedger) Customers(ctx context.Context) ([]Customer, error) {
	return query(ctx, l.db, scanCustomer, `SELECT `+customerCols+` FROM customers WHERE active`)
}

func (l *SQLLedger) Invoice(ctx context.Context, id string) (Invoice, error) {
	return one(scanInvoice(l.db.QueryRowContext(ctx, `SELECT `+invoiceCols+` FROM invoices WHERE id = $1`, id)))
}

func (l *SQLLedger) OpenInvoices(ctx context.Context, customerID string) ([]Invoice, error) {
	return query(ctx, l.db, scanInvoice, `SELECT `+invoiceCols+` FROM invoices WHERE customer_id = $1 AND status = 'open'`, customerID)
}

func (l *SQLLedger) OverdueInvoices(ctx context.Context, asOf time.Time) ([]Invoice, error) {
	return query(ctx, l.db, scanInvoice, `SELECT `+invoiceCols+` FROM invoices WHERE status = 'open' AND due_at < $1 ORDER BY due_at`, asOf)
}

func (l *SQLLedger) MarkPaid(ctx context.Context, invoiceID, paymentRef string) error {
	_, err := l.db.ExecContext(ctx,
		`UPDATE invoices SET status = 'paid', payment_ref = $2, updated_at = now() WHERE id = $1 AND status = 'open'`,
		invoiceID, paymentRef)
	return err
}

func (l *SQLLedger) Authenticate(ctx context.Context, email, password string) (User, error) {
	return one(scanUser(l.db.QueryRowContext(ctx, `SELECT `+userCols+` FROM portal_users
		WHERE lower(email) = lower($1) AND password_hash = crypt($2, password_hash)`, email, password)))
}

func (l *SQLLedger) UserByEmail(ctx context.Context, email string) (User, error) {
	return one(scanUser(l.db.QueryRowContext(ctx, `SELECT `+userCols+` FROM portal_users WHERE lower(email) = lower($1)`, email)))
}

func (l *SQLLedger) SetPassword(ctx context.Context, userID, password string) error {
	_, err := l.db.ExecContext(ctx, `UPDATE portal_users SET password_hash = crypt($2, gen_salt('bf')) WHERE id = $1`, userID, password)
	return err
}

func (l *SQLLedger) RenderInvoice(ctx context.Context, inv Invoice, format string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return l.render(inv, format)
}
