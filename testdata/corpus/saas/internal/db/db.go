// Package db opens the D1 database that is the source of truth for tenants,
// plans and billing.
package db

import (
	"context"
	"database/sql"
	"sync"

	_ "github.com/syumai/workers/cloudflare/d1"

	"example.com/saas/internal/config"
)

var (
	once   sync.Once
	handle *sql.DB
	err    error
)

// Get returns the shared D1 handle.
func Get() (*sql.DB, error) {
	once.Do(func() {
		handle, err = sql.Open("d1", config.BindingDB)
	})
	return handle, err
}

// Plan is a tenant's subscription row.
type Plan struct {
	Tenant       string `json:"tenant"`
	Name         string `json:"name"`
	MonthlyUnits int64  `json:"monthly_units"`
	Seats        int    `json:"seats"`
}

// LoadPlan reads the tenant's plan.
func LoadPlan(ctx context.Context, d *sql.DB, tenant string) (*Plan, error) {
	p := &Plan{Tenant: tenant}
	row := d.QueryRowContext(ctx,
		`SELECT plan_name, monthly_units, seats FROM plans WHERE tenant_id = ?`, tenant)
	if err := row.Scan(&p.Name, &p.MonthlyUnits, &p.Seats); err != nil {
		return nil, err
	}
	return p, nil
}

// TenantIDs lists active tenants.
func TenantIDs(ctx context.Context, d *sql.DB) ([]string, error) {
	rows, err := d.QueryContext(ctx, `SELECT id FROM tenants WHERE active = 1 ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
