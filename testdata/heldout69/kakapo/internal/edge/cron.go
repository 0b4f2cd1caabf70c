//go:build js && wasm

package edge

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
)

// Scheduled runs on the Worker's cron trigger (every five minutes).
func Scheduled(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	lots, err := cloudflare.NewKVNamespace("LOTS")
	if err != nil {
		return err
	}
	db, err := openDB()
	if err != nil {
		return err
	}

	rows, err := db.QueryContext(ctx, `SELECT lot_id FROM lot_stats ORDER BY views DESC LIMIT 12`)
	if err != nil {
		return err
	}
	var trending []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		trending = append(trending, id)
	}
	rows.Close()
	body, _ := json.Marshal(map[string]any{"lots": trending, "at": ev.ScheduledTime})
	if err := lots.PutString("lots:trending", string(body), nil); err != nil {
		return err
	}

	ends, err := db.QueryContext(ctx, `SELECT id, closes_at FROM lots WHERE closes_at BETWEEN ? AND ?`,
		ev.ScheduledTime.Unix(), ev.ScheduledTime.Add(time.Hour).Unix())
	if err != nil {
		return err
	}
	defer ends.Close()
	for ends.Next() {
		var id string
		var closes int64
		if err := ends.Scan(&id, &closes); err != nil {
			return err
		}
		closesAt := time.Unix(closes, 0)
		if err := lots.PutString("ends:"+id, closesAt.Format(time.RFC3339), &cloudflare.KVNamespacePutOptions{
			Expiration: int(closesAt.UnixMilli()), // EXPECT kvttl
		}); err != nil {
			fmt.Println("ends:", id, err)
		}
	}
	return ends.Err()
}
