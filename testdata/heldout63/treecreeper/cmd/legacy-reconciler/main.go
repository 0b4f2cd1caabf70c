// Command legacy-reconciler runs the v1 service's nightly KV jobs.
package main

import (
	"context"
	"flag"
	"log/slog"
	"os"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ledgerline/treecreeper/internal/legacykv"
)

type statusRow struct {
	ID     string `db:"id"`
	Status string `db:"status"`
}

func main() {
	tenant := flag.String("tenant", "", "v1 tenant to reserve numbers for")
	first := flag.Int("first", 0, "first invoice number of the block")
	flag.Parse()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	svc := legacykv.New(os.Getenv("CF_API_TOKEN"), os.Getenv("CF_ACCOUNT_ID"), os.Getenv("CF_KV_LEGACY_NAMESPACE"))

	conn, err := pgx.Connect(ctx, os.Getenv("LEGACY_DATABASE_URL"))
	if err != nil {
		slog.Error("db", "err", err)
		os.Exit(1)
	}
	defer conn.Close(ctx)

	rows, err := conn.Query(ctx, `SELECT id, status FROM invoices WHERE legacy_v1 AND updated_at > now() - interval '1 day'`)
	if err != nil {
		slog.Error("query", "err", err)
		os.Exit(1)
	}
	changed, err := pgx.CollectRows(rows, pgx.RowToStructByName[statusRow])
	if err != nil {
		slog.Error("collect", "err", err)
		os.Exit(1)
	}
	statuses := make(map[string]string, len(changed))
	for _, c := range changed {
		statuses[c.ID] = c.Status
	}
	if err := svc.PublishStatuses(ctx, statuses); err != nil {
		slog.Error("statuses", "err", err)
	}
	if *tenant != "" {
		if err := svc.ReserveBlock(ctx, *tenant, *first); err != nil {
			slog.Error("reserve", "err", err)
			os.Exit(1)
		}
	}
}
