// Package billingdb reads the billing database, the system of record for
// customers and invoice history.
package billingdb

import (
	"context"
	"database/sql"
	"time"

	"github.com/ledgerline/nightjar/internal/invoices"
	"github.com/ledgerline/nightjar/internal/keys"
)

// DB implements invoices.Source over database/sql.
type DB struct{ db *sql.DB }

// New wraps an open database handle.
func New(db *sql.DB) *DB { return &DB{db: db} }

// Customer loads one customer.
func (d *DB) Customer(ctx context.Context, tenant, id string) (invoices.Customer, error) {
	c := invoices.Customer{ID: id}
	err := d.db.QueryRowContext(ctx,
		`SELECT name, email, tax_id FROM customers WHERE tenant_id = $1 AND id = $2`, tenant, id,
	).Scan(&c.Name, &c.Email, &c.TaxID)
	return c, err
}

// AgingReport runs the aging query and returns its rows as a JSON array.
func (d *DB) AgingReport(ctx context.Context, query, tenant string) ([]byte, error) {
	var out []byte
	err := d.db.QueryRowContext(ctx, `SELECT coalesce(json_agg(r), '[]') FROM (`+query+`) r`, tenant).Scan(&out)
	return out, err
}

// NewlyOverdue returns open invoices that fell due since the given time.
func (d *DB) NewlyOverdue(ctx context.Context, since time.Time) ([]keys.InvoiceRef, error) {
	rows, err := d.db.QueryContext(ctx,
		`SELECT tenant_id, id FROM invoices WHERE status = 'open' AND due_at >= $1 AND due_at < now()`, since)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var refs []keys.InvoiceRef
	for rows.Next() {
		var r keys.InvoiceRef
		if err := rows.Scan(&r.Tenant, &r.ID); err != nil {
			return nil, err
		}
		refs = append(refs, r)
	}
	return refs, rows.Err()
}
