// Package jobs runs the shop's cron triggers.
package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/fetch"
	"github.com/syumai/workers/cloudflare/kv"

	"example.com/shop/config"
	"example.com/shop/internal/kvstore"
	"example.com/shop/internal/store"
)

// Cron expressions, as in wrangler.jsonc.
const (
	EveryTwentyMinutes = "*/20 * * * *"
	Nightly            = "0 3 * * *"
	Weekly             = "30 4 * * 1"
)

func Run(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	switch ev.Cron {
	case EveryTwentyMinutes:
		return refreshFX(ctx)
	case Nightly:
		return nightly(ctx, ev)
	case Weekly:
		db, err := store.Open()
		if err != nil {
			return err
		}
		if err := archiveDiscontinued(ctx, db); err != nil {
			return err
		}
		return compactChangelog()
	}
	log.Printf("unknown cron %q", ev.Cron)
	return nil
}

func refreshFX(ctx context.Context) error {
	req, err := fetch.NewRequest(ctx, http.MethodGet, "https://fx.example.net/v1/latest?base=USD", nil)
	if err != nil {
		return err
	}
	res, err := fetch.NewClient().Do(req, nil)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("fx: %s", res.Status)
	}
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	ns, err := kv.NewNamespace(config.CatalogKV)
	if err != nil {
		return err
	}
	return ns.PutString("fx:usd", string(body), &kv.PutOptions{ExpirationTTL: config.FXRatesTTL})
}

func nightly(ctx context.Context, ev *cron.Event) error {
	db, err := store.Open()
	if err != nil {
		return err
	}
	ns, err := kv.NewNamespace(config.CatalogKV)
	if err != nil {
		return err
	}

	lock, err := ns.GetString("lock:nightly", nil)
	if err != nil {
		return err
	}
	if lock != "<null>" {
		log.Printf("nightly already running since %s", lock)
		return nil
	}
	if err := ns.PutString("lock:nightly", strconv.FormatInt(time.Now().Unix(), 10), &kv.PutOptions{ // DEBATABLE kvrace
		Expiration: int(time.Now().Unix()) + 30, // EXPECT kvttl
	}); err != nil {
		return err
	}
	defer func() {
		if err := ns.Delete("lock:nightly"); err != nil {
			log.Printf("nightly: unlock: %v", err)
		}
	}()

	if err := publishBestsellers(ctx, db, ns, ev); err != nil {
		return err
	}
	if err := snapshotOpenQuestions(ctx, db, ns); err != nil {
		return err
	}
	if err := dailySales(ctx, db, ev); err != nil {
		return err
	}
	if err := renderSitemap(ctx, db, ns); err != nil {
		return err
	}
	if err := renderMerchantFeed(ctx, db, ns); err != nil {
		return err
	}
	return weeklyDigest(ctx, db, ns)
}

type bestseller struct {
	SKU  string `json:"sku"`
	Sold int    `json:"sold"`
}

func publishBestsellers(ctx context.Context, db *sql.DB, ns *kv.Namespace, ev *cron.Event) error {
	rows, err := db.QueryContext(ctx, `
		SELECT sku, SUM(qty) AS sold FROM order_items
		WHERE created_at >= datetime('now', '-7 days')
		GROUP BY sku ORDER BY sold DESC LIMIT 24`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var top []bestseller
	for rows.Next() {
		var b bestseller
		if err := rows.Scan(&b.SKU, &b.Sold); err != nil {
			return err
		}
		top = append(top, b)
	}
	b, err := json.Marshal(top)
	if err != nil {
		return err
	}
	return ns.PutString("bestsellers", string(b), &kv.PutOptions{
		Expiration: int(ev.ScheduledTime.Add(config.BestsellersKeep).Unix()),
	})
}

// snapshotOpenQuestions caches the per-product number of unanswered
// customer questions for the product pages.
func snapshotOpenQuestions(ctx context.Context, db *sql.DB, ns *kv.Namespace) error {
	rows, err := db.QueryContext(ctx,
		`SELECT sku, COUNT(*) FROM questions WHERE answered_at IS NULL GROUP BY sku`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var sku string
		var n int
		if err := rows.Scan(&sku, &n); err != nil {
			return err
		}
		if err := ns.PutString("count:open-questions:"+sku, strconv.Itoa(n), &kv.PutOptions{ExpirationTTL: 26 * 60 * 60}); err != nil {
			return err
		}
	}
	return rows.Err()
}

type salesDay struct {
	Day        string `json:"day"`
	Orders     int    `json:"orders"`
	TotalCents int    `json:"total_cents"`
}

func dailySales(ctx context.Context, db *sql.DB, ev *cron.Event) error {
	day := ev.ScheduledTime.AddDate(0, 0, -1).Format(time.DateOnly)
	rows, err := db.QueryContext(ctx, `SELECT amount_cents FROM orders WHERE date(created_at) = ?`, day)
	if err != nil {
		return err
	}
	defer rows.Close()
	s := salesDay{Day: day}
	for rows.Next() {
		var cents int
		if err := rows.Scan(&cents); err != nil {
			return err
		}
		s.Orders++
		s.TotalCents += cents
	}
	if err := rows.Err(); err != nil {
		return err
	}
	st, err := kvstore.Open(config.ShopKV)
	if err != nil {
		return err
	}
	return st.PutJSON("sales:"+day, s, 0)
}

func weeklyDigest(ctx context.Context, db *sql.DB, ns *kv.Namespace) error {
	var newProducts int
	if err := db.QueryRowContext(ctx,
		`SELECT COUNT(*) FROM products WHERE created_at >= datetime('now', '-7 days')`).Scan(&newProducts); err != nil {
		return err
	}
	digest, _ := json.Marshal(map[string]any{
		"new_products": newProducts,
		"generated_at": time.Now().UTC().Format(time.RFC3339),
	})
	return ns.PutString("digest:latest", string(digest), &kv.PutOptions{
		Expiration: int(time.Now().UnixMilli()) + 7*24*60*60*1000, // EXPECT kvttl
	})
}
