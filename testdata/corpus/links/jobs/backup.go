package jobs

import (
	"context"
	"database/sql"
	"log"
	"time"

	"github.com/syumai/workers/cloudflare"

	"example.com/links/settings"
)

const backupRetentionDays = 30

// backupChanged copies the KV records of links changed since the last run
// into the backup namespace, under the same keys.
func backupChanged(ctx context.Context, db *sql.DB, links *cloudflare.KVNamespace, at time.Time) error {
	backup, err := cloudflare.NewKVNamespace(settings.BackupKV)
	if err != nil {
		return err
	}
	rows, err := db.QueryContext(ctx, `SELECT slug FROM links WHERE updated_at >= ? LIMIT 500`, at.Add(-24*time.Hour).Unix())
	if err != nil {
		return err
	}
	defer rows.Close()

	expires := int(time.Now().UnixMilli()/1000) + backupRetentionDays*24*60*60
	for rows.Next() {
		var slug string
		if err := rows.Scan(&slug); err != nil {
			return err
		}
		key := "link:" + slug
		rec, err := links.GetString(key, nil)
		if err != nil {
			return err
		}
		if rec == "<null>" {
			continue
		}
		if err := backup.PutString(key, rec, &cloudflare.KVNamespacePutOptions{Expiration: expires}); err != nil {
			log.Printf("backup %s: %v", slug, err)
		}
	}
	return rows.Err()
}
