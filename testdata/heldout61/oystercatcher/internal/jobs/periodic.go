package jobs

import (
	"context"
	"encoding/json"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
	"github.com/riverqueue/river"

	"github.com/boxoffice/oystercatcher/internal/kvstore"
)

// SalesRollupArgs runs every five minutes and publishes the sales summary
// the organiser dashboard polls.
type SalesRollupArgs struct{}

func (SalesRollupArgs) Kind() string { return "sales_rollup" }

type salesSummary struct {
	GeneratedAt time.Time      `json:"generated_at"`
	Sold        map[string]int `json:"sold"`
}

type SalesRollupWorker struct {
	river.WorkerDefaults[SalesRollupArgs]
	KV *kvstore.Store
}

func (w *SalesRollupWorker) Work(ctx context.Context, job *river.Job[SalesRollupArgs]) error {
	ns, account, nsID := w.KV.Namespace()
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(account),
		Prefix:    cloudflare.F("sold:"),
		Limit:     cloudflare.F(1000.0),
	}
	sold := make(map[string]int)
	for {
		page, err := ns.Keys.List(ctx, nsID, params) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range page.Result {
			raw, err := w.KV.Get(ctx, k.Name) // EXPECT kvlist
			if err != nil {
				slog.WarnContext(ctx, "rollup read", "key", k.Name, "err", err)
				continue
			}
			n, err := strconv.Atoi(string(raw))
			if err != nil {
				continue
			}
			sold[strings.TrimPrefix(k.Name, "sold:")] = n
		}
		if page.ResultInfo.Cursor == "" {
			break
		}
		params.Cursor = cloudflare.F(page.ResultInfo.Cursor)
	}
	buf, err := json.Marshal(salesSummary{GeneratedAt: time.Now().UTC(), Sold: sold})
	if err != nil {
		return err
	}
	return w.KV.Put(ctx, "sales:summary", buf, 15*time.Minute)
}

// HoldSweepArgs runs every minute and publishes how many seats are on hold
// per event, and how many of those lapse within the next two minutes.
type HoldSweepArgs struct{}

func (HoldSweepArgs) Kind() string { return "hold_sweep" }

type holdStats struct {
	At      time.Time      `json:"at"`
	Active  map[string]int `json:"active"`
	Lapsing map[string]int `json:"lapsing"`
	Partial bool           `json:"partial"`
}

type HoldSweepWorker struct {
	river.WorkerDefaults[HoldSweepArgs]
	KV       *kvstore.Store
	PageSize int
	MaxPages int
}

func (w *HoldSweepWorker) Work(ctx context.Context, job *river.Job[HoldSweepArgs]) error {
	stats := holdStats{At: time.Now().UTC(), Active: map[string]int{}, Lapsing: map[string]int{}, Partial: true}
	soon := float64(time.Now().Add(2 * time.Minute).Unix())
	cursor := ""
	for range w.MaxPages {
		page, err := w.KV.ListPage(ctx, "hold:", cursor, w.PageSize)
		if err != nil {
			return err
		}
		for _, k := range page.Keys {
			parts := strings.SplitN(k.Name, ":", 3)
			if len(parts) != 3 {
				continue
			}
			stats.Active[parts[1]]++
			if k.Expiration > 0 && k.Expiration < soon {
				stats.Lapsing[parts[1]]++
			}
		}
		if page.Cursor == "" {
			stats.Partial = false
			break
		}
		cursor = page.Cursor
	}
	buf, _ := json.Marshal(stats)
	return w.KV.Put(ctx, "stats:holds", buf, 5*time.Minute)
}
