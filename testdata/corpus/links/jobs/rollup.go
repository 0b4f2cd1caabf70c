package jobs

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare"

	"example.com/links/kvx"
	"example.com/links/settings"
)

// rollupClicks moves yesterday's per-day click counters from KV into D1,
// then refreshes each link's all-time total for the dashboard.
func rollupClicks(ctx context.Context, db *sql.DB, at time.Time) error {
	stats, err := kvx.Open(settings.StatsKV)
	if err != nil {
		return err
	}
	day := at.AddDate(0, 0, -1).Format("20060102")
	rows, err := db.QueryContext(ctx, `SELECT slug FROM links WHERE deleted_at IS NULL AND last_click_day >= ?`, day)
	if err != nil {
		return err
	}
	var slugs []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return err
		}
		slugs = append(slugs, s)
	}
	rows.Close()

	for _, slug := range slugs {
		key := "clicks:" + slug + ":" + day
		v, ok, err := kvx.Load(stats, key)
		if err != nil {
			return err
		}
		if ok {
			n, _ := strconv.Atoi(v)
			if _, err := db.ExecContext(ctx,
				`INSERT INTO daily_clicks (slug, day, clicks) VALUES (?, ?, ?)
				 ON CONFLICT (slug, day) DO UPDATE SET clicks = excluded.clicks`, slug, day, n); err != nil {
				return err
			}
			if err := stats.Delete(key); err != nil {
				return err
			}
		}

		var total int
		if err := db.QueryRowContext(ctx, `SELECT COALESCE(SUM(clicks), 0) FROM daily_clicks WHERE slug = ?`, slug).Scan(&total); err != nil {
			return err
		}
		if err := stats.PutString("clicks:total:"+slug, strconv.Itoa(total), &cloudflare.KVNamespacePutOptions{
			ExpirationTTL: 2 * 24 * 60 * 60,
		}); err != nil {
			return err
		}
	}
	return nil
}
