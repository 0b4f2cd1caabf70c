package jobs

import (
	"context"
	"database/sql"
	"log"
	"strings"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/shop/config"
	"example.com/shop/internal/kvstore"
)

// archiveDiscontinued moves the reviews of discontinued products out of the
// hot namespace, a batch at a time.
func archiveDiscontinued(ctx context.Context, db *sql.DB) error {
	shop, err := kv.NewNamespace(config.ShopKV)
	if err != nil {
		return err
	}
	archive, err := kv.NewNamespace(config.ArchiveKV)
	if err != nil {
		return err
	}
	rows, err := db.QueryContext(ctx,
		`SELECT sku FROM products WHERE discontinued_at IS NOT NULL AND reviews_archived = 0 LIMIT 100`)
	if err != nil {
		return err
	}
	var skus []string
	for rows.Next() {
		var sku string
		if err := rows.Scan(&sku); err != nil {
			rows.Close()
			return err
		}
		skus = append(skus, sku)
	}
	rows.Close()

	for _, sku := range skus {
		key := config.ReviewsPrefix + sku
		v, err := shop.GetString(key, nil)
		if err != nil {
			return err
		}
		if v != "<null>" {
			if err := archive.PutString(key, v, nil); err != nil {
				return err
			}
			if err := shop.Delete(key); err != nil {
				return err
			}
		}
		for _, k := range []string{config.RatingPrefix + sku, "views:" + sku} {
			if err := shop.Delete(k); err != nil {
				log.Printf("archive %s: %v", k, err)
			}
		}
		if _, err := db.ExecContext(ctx, `UPDATE products SET reviews_archived = 1 WHERE sku = ?`, sku); err != nil {
			return err
		}
	}
	return nil
}

const changelogKeep = 200

// compactChangelog keeps the newest lines of the storefront changelog.
func compactChangelog() error {
	st, err := kvstore.Open(config.ShopKV)
	if err != nil {
		return err
	}
	const key = "changelog:storefront"
	text, err := st.Get(key)
	if err != nil {
		if err == kvstore.ErrNotFound {
			return nil
		}
		return err
	}
	lines := strings.SplitAfter(text, "\n")
	if len(lines) <= changelogKeep {
		return nil
	}
	trimmed := strings.Join(lines[len(lines)-changelogKeep:], "")
	return st.Put(key, trimmed, 0) // EXPECT kvrace
}
