// Package jobs holds the scheduled maintenance of the link shortener.
package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"log"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/d1"

	"example.com/links/kvx"
	"example.com/links/settings"
)

func openDB() (*sql.DB, error) {
	c, err := d1.OpenConnector(settings.DB)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(c), nil
}

// Task is registered with cron.ScheduleTaskNonBlock.
func Task(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	db, err := openDB()
	if err != nil {
		return err
	}
	links, err := kvx.Open(settings.LinksKV)
	if err != nil {
		return err
	}

	switch ev.Cron {
	case "*/10 * * * *":
		if err := expireLinks(ctx, db, links); err != nil {
			return err
		}
		if err := publishTopLinks(ctx, db, links); err != nil {
			return err
		}
	case "15 0 * * *":
		if err := rollupClicks(ctx, db, ev.ScheduledTime); err != nil {
			return err
		}
		if err := backupChanged(ctx, db, links, ev.ScheduledTime); err != nil {
			return err
		}
	}

	return links.PutString("cron:last-run:"+ev.Cron, ev.ScheduledTime.Format(time.RFC3339), &cloudflare.KVNamespacePutOptions{
		Expiration: int(time.Now().Add(settings.HeartbeatKeep).UnixMilli()), // EXPECT kvttl
	})
}

// expireLinks drops KV copies of links whose expiry passed in D1.
func expireLinks(ctx context.Context, db *sql.DB, links *cloudflare.KVNamespace) error {
	rows, err := db.QueryContext(ctx,
		`SELECT slug, owner FROM links WHERE expires_at IS NOT NULL AND expires_at < ? AND purged = 0 LIMIT 200`,
		time.Now().Unix())
	if err != nil {
		return err
	}
	type gone struct{ slug, owner string }
	var expired []gone
	for rows.Next() {
		var g gone
		if err := rows.Scan(&g.slug, &g.owner); err != nil {
			rows.Close()
			return err
		}
		expired = append(expired, g)
	}
	rows.Close()

	for _, g := range expired {
		if err := kvx.Remove(links, "link:"+g.slug); err != nil {
			return err
		}
		if err := links.Delete("owner:" + g.owner + ":" + g.slug); err != nil {
			log.Printf("expire %s: %v", g.slug, err)
		}
		if _, err := db.ExecContext(ctx, `UPDATE links SET purged = 1 WHERE slug = ?`, g.slug); err != nil {
			return err
		}
	}
	return nil
}

type topLink struct {
	Slug   string `json:"slug"`
	Clicks int    `json:"clicks"`
}

// publishTopLinks refreshes the "trending" box and the total link count.
func publishTopLinks(ctx context.Context, db *sql.DB, links *cloudflare.KVNamespace) error {
	rows, err := db.QueryContext(ctx, `
		SELECT slug, SUM(clicks) AS c FROM daily_clicks
		WHERE day >= date('now', '-1 day') GROUP BY slug ORDER BY c DESC LIMIT 10`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var top []topLink
	for rows.Next() {
		var t topLink
		if err := rows.Scan(&t.Slug, &t.Clicks); err != nil {
			return err
		}
		top = append(top, t)
	}
	b, _ := json.Marshal(top)
	if err := links.PutString("top:daily", string(b), &cloudflare.KVNamespacePutOptions{
		Expiration: int(time.Now().Add(settings.TopLinksMaxAge).Unix()),
	}); err != nil {
		return err
	}

	var total int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM links WHERE deleted_at IS NULL`).Scan(&total); err != nil {
		return err
	}
	opts := &cloudflare.KVNamespacePutOptions{}
	if ttl, err := strconv.Atoi(cloudflare.Getenv("STATS_TTL")); err == nil {
		opts.ExpirationTTL = ttl
	}
	return links.PutString("count:links:total", strconv.Itoa(total), opts)
}
