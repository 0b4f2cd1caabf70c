//go:build js && wasm

package edge

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/d1"
)

type cronConfig struct {
	PublishBatch int  `json:"publish_batch"`
	SweepMedia   bool `json:"sweep_media"`
}

// Scheduled is the Worker's cron entry point: it publishes due episodes and
// tidies the namespace.
func Scheduled(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	kv, err := cloudflare.NewKVNamespace(ctx, "HOOPOE_KV")
	if err != nil {
		return err
	}
	c, err := d1.OpenConnector(ctx, "DB")
	if err != nil {
		return err
	}
	db := sql.OpenDB(c)

	raw, err := kv.GetString("config:cron", nil) // EXPECT kvnull
	if err != nil {
		return err
	}
	var cfg cronConfig
	if err := json.Unmarshal([]byte(raw), &cfg); err != nil {
		return fmt.Errorf("config:cron: %w", err)
	}

	if err := publishDue(ctx, kv, db, ev.ScheduledTime, max(cfg.PublishBatch, 1)); err != nil {
		return err
	}
	if err := reconcileSchedule(kv); err != nil {
		return err
	}
	if err := checkEmbargoes(kv); err != nil {
		return err
	}
	if cfg.SweepMedia {
		if err := sweepOrphanMedia(kv); err != nil {
			return err
		}
	}
	if err := expirePreviews(kv); err != nil {
		return err
	}
	return kv.PutString("cron:last-run", ev.ScheduledTime.Format(time.RFC3339), nil)
}

// publishDue flips episodes whose publish time has passed, in D1 and in KV.
func publishDue(ctx context.Context, kv *cloudflare.KVNamespace, db *sql.DB, now time.Time, batch int) error {
	rows, err := db.QueryContext(ctx, `SELECT id, show_id, title FROM episodes
		WHERE published = 0 AND publish_at <= ? ORDER BY publish_at LIMIT ?`, now.Unix(), batch)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, show, title string
		if err := rows.Scan(&id, &show, &title); err != nil {
			return err
		}
		if _, err := db.ExecContext(ctx, `UPDATE episodes SET published = 1 WHERE id = ?`, id); err != nil {
			return err
		}
		body, _ := json.Marshal(map[string]string{"id": id, "show_id": show, "title": title})
		if err := kv.PutString("live:"+id, string(body), nil); err != nil {
			return err
		}
		if err := kv.Delete("sched:" + id); err != nil {
			return err
		}
		if err := kv.PutString("catalog:updated-at", now.Format(time.RFC3339), nil); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return rows.Err()
}

// reconcileSchedule drops countdown keys of episodes that already went live.
func reconcileSchedule(kv *cloudflare.KVNamespace) error {
	opts := &cloudflare.KVNamespaceListOptions{Prefix: "sched:"}
	for {
		res, err := kv.List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			id := strings.TrimPrefix(k.Name, "sched:")
			live, err := kv.GetString("live:"+id, nil)
			if err == nil && live != nullValue {
				_ = kv.Delete(k.Name)
			}
		}
		if res.ListComplete {
			return nil
		}
		opts = &cloudflare.KVNamespaceListOptions{Cursor: res.Cursor}
	}
}

// checkEmbargoes logs embargoes that outlived their end date.
func checkEmbargoes(kv *cloudflare.KVNamespace) error {
	res, err := kv.List(&cloudflare.KVNamespaceListOptions{Prefix: "embargo:", Limit: 100})
	if err != nil {
		return err
	}
	for _, k := range res.Keys {
		raw, err := kv.GetString(k.Name, nil) // EXPECT kvlist
		if err != nil || raw == nullValue {
			continue
		}
		var p struct {
			Until time.Time `json:"until"`
		}
		if json.Unmarshal([]byte(raw), &p) == nil && time.Since(p.Until) > time.Hour {
			fmt.Printf("embargo %s ended %s ago\n", k.Name, time.Since(p.Until).Round(time.Minute))
		}
	}
	if !res.ListComplete {
		fmt.Println("more embargoes than one page; continuing next run")
	}
	return nil
}

// sweepOrphanMedia removes pointers whose R2 object is gone.
func sweepOrphanMedia(kv *cloudflare.KVNamespace) error {
	res, err := kv.List(&cloudflare.KVNamespaceListOptions{
		Prefix: "media:",
		Limit:  2000, // EXPECT kvlimits
	})
	if err != nil {
		return err
	}
	for _, k := range res.Keys {
		if k.Expiration != 0 && time.Unix(int64(k.Expiration), 0).Before(time.Now()) {
			_ = kv.Delete(k.Name)
		}
	}
	return nil
}

// expirePreviews walks preview links with a page budget and drops the ones
// whose audio has been published.
func expirePreviews(kv *cloudflare.KVNamespace) error {
	const maxPages = 10
	cursor := ""
	for page := 0; page < maxPages; page++ {
		res, err := kv.List(&cloudflare.KVNamespaceListOptions{Prefix: "preview:", Cursor: cursor, Limit: 1000})
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			if k.Expiration == 0 {
				_ = kv.Delete(k.Name)
			}
		}
		if res.ListComplete {
			return nil
		}
		cursor = res.Cursor
	}
	return nil
}
