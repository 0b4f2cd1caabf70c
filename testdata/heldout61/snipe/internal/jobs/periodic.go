package jobs

import (
	"context"
	"encoding/json"
	"log/slog"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/riverqueue/river"

	"github.com/fleetwire/snipe/internal/config"
	"github.com/fleetwire/snipe/internal/fleet"
	"github.com/fleetwire/snipe/internal/ingest"
	"github.com/fleetwire/snipe/internal/kvstore"
)

// Usage is the in-process telemetry accounting fed by the Kafka consumers.
var Usage = ingest.NewUsage()

func addPeriodicWorkers(workers *river.Workers, store *kvstore.Store, log *slog.Logger) {
	river.AddWorker(workers, &FleetSummaryWorker{store: store, log: log})
	river.AddWorker(workers, &QuotaRollupWorker{store: store, usage: Usage})
}

func periodicJobs(cfg *config.Config) []*river.PeriodicJob {
	every := func(d time.Duration, args river.JobArgs) *river.PeriodicJob {
		return river.NewPeriodicJob(river.PeriodicInterval(d), func() (river.JobArgs, *river.InsertOpts) {
			return args, nil
		}, &river.PeriodicJobOpts{RunOnStart: true})
	}
	return []*river.PeriodicJob{
		every(cfg.River.SummaryEvery, FleetSummaryArgs{}),
		every(cfg.River.RollupEvery, QuotaRollupArgs{}),
	}
}

// ---- fleet summary ----

type FleetSummaryArgs struct{}

func (FleetSummaryArgs) Kind() string { return "fleet_summary" }

type fleetSummary struct {
	Reporting    int       `json:"reporting"`
	RecentAlerts []string  `json:"recent_alerts"`
	AlertsCursor string    `json:"alerts_cursor,omitempty"`
	At           time.Time `json:"at"`
}

// FleetSummaryWorker refreshes the dashboard's fleet summary.
type FleetSummaryWorker struct {
	river.WorkerDefaults[FleetSummaryArgs]
	store *kvstore.Store
	log   *slog.Logger
}

func (w *FleetSummaryWorker) Work(ctx context.Context, job *river.Job[FleetSummaryArgs]) error {
	api := w.store.API()
	iter := api.KV.Namespaces.Keys.ListAutoPaging(ctx, w.store.NamespaceID(), kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(w.store.AccountID()),
		Prefix:    cloudflare.F(fleet.PrefixTelemetry),
	})
	reporting := 0
	for iter.Next() {
		if k := iter.Current(); k.Expiration == 0 || int64(k.Expiration) > time.Now().Unix() {
			reporting++
		}
	}
	if err := iter.Err(); err != nil {
		return err
	}
	recent, cursor, err := w.recentAlerts(ctx, "")
	if err != nil {
		return err
	}
	sum := fleetSummary{Reporting: reporting, RecentAlerts: recent, AlertsCursor: cursor, At: time.Now().UTC()}
	return w.store.PutJSON(ctx, "fleet:summary", sum, 0)
}

// recentAlerts returns one short page of deduplicated alert fingerprints
// and the cursor to continue from.
func (w *FleetSummaryWorker) recentAlerts(ctx context.Context, cursor string) ([]string, string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(w.store.AccountID()),
		Prefix:    cloudflare.F(fleet.PrefixAlertDedup),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	res, err := w.store.API().KV.Namespaces.Keys.List(ctx, w.store.NamespaceID(), params)
	if err != nil {
		return nil, "", err
	}
	out := make([]string, 0, len(res.Result))
	for _, k := range res.Result {
		out = append(out, k.Name[len(fleet.PrefixAlertDedup):])
	}
	return out, res.ResultInfo.Cursor, nil
}

// ---- quota rollup ----

type QuotaRollupArgs struct{}

func (QuotaRollupArgs) Kind() string { return "quota_rollup" }

// QuotaRollupWorker publishes each tenant's telemetry volume for the day so
// that the edge can refuse tenants over their plan.
type QuotaRollupWorker struct {
	river.WorkerDefaults[QuotaRollupArgs]
	store  *kvstore.Store
	usage  *ingest.Usage
	day    string
	totals map[string]int
}

func (w *QuotaRollupWorker) Work(ctx context.Context, job *river.Job[QuotaRollupArgs]) error {
	today := time.Now().UTC().Format("2006-01-02")
	if today != w.day || w.totals == nil {
		w.day, w.totals = today, map[string]int{}
	}
	for tenant, points := range w.usage.Drain() {
		w.totals[tenant] += points
		key := "quota:used:" + tenant + ":" + today
		if err := w.store.Put(ctx, key, []byte(strconv.Itoa(w.totals[tenant])), 48*time.Hour); err != nil { // EXPECT kvcounter
			return err
		}
	}
	raw, _ := json.Marshal(map[string]any{"day": today, "tenants": len(w.totals)})
	return w.store.Put(ctx, "rollup:usage:last", raw, 0)
}
