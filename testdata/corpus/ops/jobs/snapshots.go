package jobs

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	cfv0 "github.com/cloudflare/cloudflare-go"

	"example.com/ops/internal/config"
)

// PublishStats copies the status-page numbers, computed in Postgres, to KV.
// It runs every minute, so each value only has to outlive one run.
func (r *Runner) PublishStats(ctx context.Context) error {
	var signups, activeUsers, openIncidents int64
	if err := r.DB.QueryRowContext(ctx,
		`SELECT count(*) FROM users WHERE created_at > now() - interval '24 hours'`).Scan(&signups); err != nil {
		return err
	}
	if err := r.DB.QueryRowContext(ctx,
		`SELECT count(DISTINCT user_id) FROM events WHERE at > now() - interval '15 minutes'`).Scan(&activeUsers); err != nil {
		return err
	}
	if err := r.DB.QueryRowContext(ctx,
		`SELECT count(*) FROM incidents WHERE resolved_at IS NULL`).Scan(&openIncidents); err != nil {
		return err
	}

	pairs := []*cfv0.WorkersKVPair{
		{Key: "stats:signup_count:24h", Value: strconv.FormatInt(signups, 10), ExpirationTTL: config.StatsTTLSeconds * 2},
		{Key: "stats:active_users", Value: strconv.FormatInt(activeUsers, 10), ExpirationTTL: config.StatsTTLSeconds * 2},
		{Key: "stats:open_incidents", Value: strconv.FormatInt(openIncidents, 10), ExpirationTTL: config.StatsTTLSeconds * 2},
	}
	generated := &cfv0.WorkersKVPair{Key: "stats:generated_at"}
	generated.Value = time.Now().UTC().Format(time.RFC3339)
	generated.ExpirationTTL = config.StatsTTLSeconds
	pairs = append(pairs, generated)

	_, err := r.Legacy.WriteWorkersKVEntries(ctx, r.RC, cfv0.WriteWorkersKVEntriesParams{
		NamespaceID: config.NamespaceEdge,
		KVs:         pairs,
	})
	return err
}

// PublishTopProducts writes the ten best sellers of the last week for the
// homepage carousel.
func (r *Runner) PublishTopProducts(ctx context.Context) error {
	rows, err := r.DB.QueryContext(ctx, `
		SELECT p.slug, count(*) AS orders FROM order_lines l JOIN products p ON p.id = l.product_id
		WHERE l.created_at > now() - interval '7 days'
		GROUP BY p.slug ORDER BY orders DESC LIMIT 10`)
	if err != nil {
		return err
	}
	defer rows.Close()
	type entry struct {
		Slug   string `json:"slug"`
		Orders int64  `json:"orders"`
	}
	var top []entry
	for rows.Next() {
		var e entry
		if err := rows.Scan(&e.Slug, &e.Orders); err != nil {
			return err
		}
		top = append(top, e)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	b, err := json.Marshal(top)
	if err != nil {
		return err
	}
	return r.Edge.Set(ctx, "home:top-products", b, 3*time.Hour)
}
