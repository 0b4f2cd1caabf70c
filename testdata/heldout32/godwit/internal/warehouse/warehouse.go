// Package warehouse reads the Postgres database that holds billing plans,
// tracked links and the event warehouse. It is the source of truth that the
// KV caches are filled from.
package warehouse

import (
	"context"
	"database/sql"
	"time"

	"godwit/internal/quota"
	"godwit/internal/stats"
)

// DB wraps the connection pool.
type DB struct {
	sql *sql.DB
}

// New returns a DB.
func New(db *sql.DB) *DB { return &DB{sql: db} }

// PlanCaps implements quota.PlanSource.
func (d *DB) PlanCaps(ctx context.Context, plan string) (quota.Caps, error) {
	var c quota.Caps
	err := d.sql.QueryRowContext(ctx,
		`SELECT daily_sends, monthly_sends, signups_per_ip FROM plans WHERE name = $1`, plan,
	).Scan(&c.Daily, &c.Monthly, &c.SignupPerIP)
	return c, err
}

// LinkTarget returns the destination of a tracked link.
func (d *DB) LinkTarget(ctx context.Context, id string) (string, error) {
	var target string
	err := d.sql.QueryRowContext(ctx, `SELECT target FROM links WHERE id = $1`, id).Scan(&target)
	return target, err
}

// CampaignTotals implements stats.Source.
func (d *DB) CampaignTotals(ctx context.Context, campaign string) (stats.Totals, error) {
	var t stats.Totals
	err := d.sql.QueryRowContext(ctx, `
		SELECT count(*) FILTER (WHERE type = 'sent'),
		       count(*) FILTER (WHERE type = 'delivered'),
		       count(*) FILTER (WHERE type = 'open'),
		       count(DISTINCT email) FILTER (WHERE type = 'open'),
		       count(*) FILTER (WHERE type = 'click'),
		       count(*) FILTER (WHERE type = 'bounce'),
		       count(*) FILTER (WHERE type = 'unsubscribe')
		FROM events WHERE campaign_id = $1`, campaign,
	).Scan(&t.Sent, &t.Delivered, &t.Opens, &t.UniqueOpens, &t.Clicks, &t.Bounces, &t.Unsubs)
	t.AsOf = time.Now().UTC()
	return t, err
}

// RecentCampaigns implements stats.Source.
func (d *DB) RecentCampaigns(ctx context.Context, since time.Time) ([]string, error) {
	rows, err := d.sql.QueryContext(ctx, `SELECT id FROM campaigns WHERE sent_at >= $1 ORDER BY sent_at DESC`, since)
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
