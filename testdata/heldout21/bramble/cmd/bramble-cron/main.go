// Command bramble-cron runs the scheduled jobs: it is invoked once per tick
// by the scheduler with the job name as its only argument.
package main

import (
	"context"
	"database/sql"
	"fmt"
	"iter"
	"log"
	"os"
	"strings"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"

	"example.com/bramble/internal/ids"
	"example.com/bramble/internal/legacy/payouts"
	"example.com/bramble/internal/platform/cfclient"
	"example.com/bramble/internal/platform/kvstore"
	"example.com/bramble/internal/platform/kvstore/cfkv"
	"example.com/bramble/internal/platform/typed"
)

const sweepBudget = 2000

type jobs struct {
	kv kvstore.Store
	db *sql.DB
}

func main() {
	if len(os.Args) != 2 {
		log.Fatal("usage: bramble-cron <publish-loads|sweep-absent|reconcile-timelines|payouts>")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	client := cfclient.New(os.Getenv("CLOUDFLARE_API_TOKEN"), os.Getenv("CLOUDFLARE_ACCOUNT_ID"), 30*time.Second)
	db, err := sql.Open("pgx", os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	j := jobs{kv: cfkv.New(client.Namespace(os.Getenv("BRAMBLE_KV_APP"))), db: db}

	run := map[string]func(context.Context) error{
		"publish-loads":       j.publishLoads,
		"sweep-absent":        j.sweepAbsent,
		"reconcile-timelines": j.reconcileTimelines,
		"payouts":             j.payouts,
	}[os.Args[1]]
	if run == nil {
		log.Fatalf("unknown job %q", os.Args[1])
	}
	if err := run(ctx); err != nil {
		log.Fatalf("%s: %v", os.Args[1], err)
	}
	stamp := []byte(time.Now().UTC().Format(time.RFC3339))
	if err := j.kv.Put(ctx, "cron:last-run:"+os.Args[1], stamp, kvstore.WithTTL(7*24*time.Hour)); err != nil {
		log.Printf("record run: %v", err)
	}
}

// publishLoads copies each on-shift courier's active order count from the
// dispatch database so the matcher can read it at the edge.
func (j jobs) publishLoads(ctx context.Context) error {
	rows, err := j.db.QueryContext(ctx, `SELECT courier_id, active_orders FROM courier_load WHERE on_shift`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var pairs []typed.Pair[ids.CourierID, int]
	for rows.Next() {
		var p typed.Pair[ids.CourierID, int]
		if err := rows.Scan(&p.Key, &p.Value); err != nil {
			return err
		}
		pairs = append(pairs, p)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	loads := typed.New[ids.CourierID, int](j.kv, "courier:load:").WithOptions(kvstore.WithTTL(5 * time.Minute))
	return loads.PutAll(ctx, pairs)
}

// sweepAbsent clears negative menu-cache markers for restaurants that have
// since published, a bounded number per run.
func (j jobs) sweepAbsent(ctx context.Context) error {
	next, stop := iter.Pull2(kvstore.Walk(ctx, j.kv, kvstore.Keys("menu-absent:")))
	defer stop()
	for range sweepBudget {
		k, err, ok := next()
		if !ok {
			return nil
		}
		if err != nil {
			return err
		}
		rid := strings.TrimPrefix(k.Name, "menu-absent:")
		var live bool
		if err := j.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM published_menus WHERE restaurant_id = $1)`, rid).Scan(&live); err != nil {
			return err
		}
		if live {
			if err := j.kv.Delete(ctx, k.Name); err != nil {
				return err
			}
		}
	}
	return nil
}

// reconcileTimelines deletes tracking timelines of orders purged from the
// order database.
func (j jobs) reconcileTimelines(ctx context.Context) error {
	var removed int
	for k, err := range kvstore.Walk(ctx, j.kv, kvstore.Keys("track:timeline:")) { // EXPECT kvlist
		if err != nil {
			return err
		}
		var exists bool
		order := strings.TrimPrefix(k.Name, "track:timeline:")
		if err := j.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM orders WHERE id = $1)`, order).Scan(&exists); err != nil {
			return err
		}
		if !exists {
			if err := j.kv.Delete(ctx, k.Name); err != nil {
				return err
			}
			removed++
		}
	}
	log.Printf("reconcile-timelines: removed %d", removed)
	return nil
}

// payouts settles yesterday's courier payouts on the legacy namespace.
func (j jobs) payouts(ctx context.Context) error {
	api, err := cloudflare.NewWithAPIToken(os.Getenv("CLOUDFLARE_API_TOKEN"))
	if err != nil {
		return err
	}
	day := time.Now().UTC().AddDate(0, 0, -1).Format(time.DateOnly)
	var list string
	if err := j.db.QueryRowContext(ctx, `SELECT coalesce(string_agg(DISTINCT courier_id, ','), '') FROM shifts WHERE day = $1`, day).Scan(&list); err != nil {
		return err
	}
	var couriers []ids.CourierID
	for id := range strings.SplitSeq(list, ",") {
		if id != "" {
			couriers = append(couriers, ids.CourierID(id))
		}
	}
	job := payouts.New(api, os.Getenv("CLOUDFLARE_ACCOUNT_ID"), os.Getenv("BRAMBLE_KV_LEGACY"),
		payouts.Rates{PerDeliveryCents: 450, BonusThreshold: 25, BonusCents: 2000})
	paid, err := job.Run(ctx, day, couriers)
	if err != nil {
		return fmt.Errorf("run: %w", err)
	}
	log.Printf("payouts: %d couriers settled for %s", len(paid), day)
	return job.Purge(ctx, day, couriers)
}
