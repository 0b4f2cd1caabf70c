//go:build js && wasm

// Package d1store holds the D1-backed pieces: billing usage and tenant
// lifecycle. Anything that must count exactly lives here, not in KV.
package d1store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/syumai/workers/cloudflare/d1"
)

// DB wraps the D1 binding.
type DB struct {
	db *sql.DB
}

func Open(binding string) (*DB, error) {
	c, err := d1.OpenConnector(binding)
	if err != nil {
		return nil, fmt.Errorf("d1store: %w", err)
	}
	return &DB{db: sql.OpenDB(c)}, nil
}

// Add implements apikey.UsageSink. The upsert is a single statement, so
// concurrent requests cannot lose increments.
func (d *DB) Add(ctx context.Context, keyID, month string, n int64) error {
	_, err := d.db.ExecContext(ctx,
		`INSERT INTO api_usage (key_id, month, n) VALUES (?, ?, ?)
		 ON CONFLICT (key_id, month) DO UPDATE SET n = n + excluded.n`,
		keyID, month, n)
	return err
}

// CountLogin bumps the daily login outcome counter used by the security dashboard.
func (d *DB) CountLogin(ctx context.Context, method string, ok bool) error {
	outcome := "fail"
	if ok {
		outcome = "ok"
	}
	_, err := d.db.ExecContext(ctx,
		`INSERT INTO login_stats (day, method, outcome, n) VALUES (?, ?, ?, 1)
		 ON CONFLICT (day, method, outcome) DO UPDATE SET n = n + 1`,
		time.Now().UTC().Format("2006-01-02"), method, outcome)
	return err
}

// Offboarded lists tenants whose offboarding grace period has ended.
func (d *DB) Offboarded(ctx context.Context) ([]string, error) {
	rows, err := d.db.QueryContext(ctx,
		`SELECT id FROM tenants WHERE offboarded_at IS NOT NULL AND offboarded_at < ? LIMIT 50`,
		time.Now().Add(-30*24*time.Hour).Unix())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
