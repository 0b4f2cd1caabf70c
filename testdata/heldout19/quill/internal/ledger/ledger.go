// Package ledger is the D1-backed authority for counts and unique rows.
package ledger

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/d1"
)

// ErrConflict is returned when a unique row already exists.
var ErrConflict = errors.New("ledger: conflict")

// Ledger is the port the services use. Add returns the new total; InsertHold
// fails with ErrConflict while another sponsor's hold is unexpired.
type Ledger interface {
	Add(ctx context.Context, name string, delta int64) (int64, error)
	Total(ctx context.Context, name string) (int64, error)
	CountSubscribers(ctx context.Context, tenant string) (int64, error)
	InsertHold(ctx context.Context, tenant string, issue int, slot, sponsor string, expires time.Time) error
}

// D1 implements Ledger on a D1 database.
type D1 struct {
	cf        *cloudflare.Client
	accountID string
	dbID      string
}

// NewD1 returns a Ledger backed by the D1 database dbID.
func NewD1(cf *cloudflare.Client, accountID, dbID string) *D1 {
	return &D1{cf: cf, accountID: accountID, dbID: dbID}
}

func (l *D1) query(ctx context.Context, sql string, args ...string) ([]any, error) {
	page, err := l.cf.D1.Database.Query(ctx, l.dbID, d1.DatabaseQueryParams{
		AccountID: cloudflare.F(l.accountID),
		Body: d1.DatabaseQueryParamsBodyD1SingleQuery{
			Sql:    cloudflare.F(sql),
			Params: cloudflare.F(args),
		},
	})
	if err != nil || len(page.Result) == 0 {
		return nil, err
	}
	if !page.Result[0].Success {
		return nil, fmt.Errorf("ledger: query failed: %s", sql)
	}
	return page.Result[0].Results, nil
}

func firstInt(rows []any, col string) int64 {
	if len(rows) == 0 {
		return 0
	}
	row, _ := rows[0].(map[string]any)
	v, _ := row[col].(float64)
	return int64(v)
}

// Add implements Ledger with a single atomic UPSERT.
func (l *D1) Add(ctx context.Context, name string, delta int64) (int64, error) {
	rows, err := l.query(ctx,
		`INSERT INTO counters (name, value) VALUES (?1, ?2)
		 ON CONFLICT(name) DO UPDATE SET value = value + excluded.value
		 RETURNING value`,
		name, strconv.FormatInt(delta, 10))
	if err != nil {
		return 0, fmt.Errorf("ledger: add %s: %w", name, err)
	}
	return firstInt(rows, "value"), nil
}

// Total implements Ledger.
func (l *D1) Total(ctx context.Context, name string) (int64, error) {
	rows, err := l.query(ctx, `SELECT value FROM counters WHERE name = ?1`, name)
	if err != nil {
		return 0, fmt.Errorf("ledger: total %s: %w", name, err)
	}
	return firstInt(rows, "value"), nil
}

// CountSubscribers implements Ledger.
func (l *D1) CountSubscribers(ctx context.Context, tenant string) (int64, error) {
	rows, err := l.query(ctx,
		`SELECT COUNT(*) AS n FROM subscribers WHERE tenant = ?1 AND confirmed_at IS NOT NULL`, tenant)
	if err != nil {
		return 0, fmt.Errorf("ledger: count subscribers: %w", err)
	}
	return firstInt(rows, "n"), nil
}

// Confirmed returns the confirmed subscribers of tenant, for sends.
func (l *D1) Confirmed(ctx context.Context, tenant string) ([]string, error) {
	rows, err := l.query(ctx,
		`SELECT email FROM subscribers WHERE tenant = ?1 AND confirmed_at IS NOT NULL AND unsubscribed_at IS NULL`, tenant)
	if err != nil {
		return nil, fmt.Errorf("ledger: recipients: %w", err)
	}
	out := make([]string, 0, len(rows))
	for _, r := range rows {
		if m, ok := r.(map[string]any); ok {
			if e, ok := m["email"].(string); ok {
				out = append(out, e)
			}
		}
	}
	return out, nil
}

// InsertHold implements Ledger; an expired hold is taken over in place.
func (l *D1) InsertHold(ctx context.Context, tenant string, issue int, slot, sponsor string, expires time.Time) error {
	rows, err := l.query(ctx,
		`INSERT INTO holds (tenant, issue, slot, sponsor, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)
		 ON CONFLICT(tenant, issue, slot) DO UPDATE SET sponsor = excluded.sponsor, expires_at = excluded.expires_at
		 WHERE holds.expires_at <= unixepoch() RETURNING 1 AS ok`,
		tenant, strconv.Itoa(issue), slot, sponsor, strconv.FormatInt(expires.Unix(), 10))
	if err != nil {
		return fmt.Errorf("ledger: insert hold: %w", err)
	}
	if firstInt(rows, "ok") != 1 {
		return ErrConflict
	}
	return nil
}
