// Package jobs holds the periodic maintenance jobs run by harborctl from cron.
package jobs

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"example.com/harbor/internal/storage"
)

// Env is what every job receives.
type Env struct {
	Client   *cloudflare.Client
	Account  string
	MainNS   string
	CacheNS  string
	Store    storage.Store // main namespace through the storage port
	Log      *slog.Logger
	PageSize int
	MaxPages int
}

func (e Env) listParams(prefix string) kv.NamespaceKeyListParams {
	return kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(e.Account),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(e.PageSize)),
	}
}

func (e Env) read(ctx context.Context, ns, key string) ([]byte, error) {
	resp, err := e.Client.KV.Namespaces.Values.Get(ctx, ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(e.Account)})
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// Job is one maintenance task.
type Job func(ctx context.Context, env Env) error

var registry = map[string]struct {
	run     Job
	timeout time.Duration
}{
	"purge-departed":   {purgeDeparted, 10 * time.Minute},
	"reindex-berths":   {reindexBerths, 20 * time.Minute},
	"warm-schedules":   {warmSchedules, 5 * time.Minute},
	"audit-tokens":     {auditTokens, 5 * time.Minute},
	"spot-check":       {spotCheck, time.Minute},
	"rollover-tariffs": {rolloverTariffs, time.Minute},
	"yard-bitmap":      {yardBitmap, 15 * time.Minute},
	"mark-sync":        {markSync, time.Minute},
}

// UnknownJobError is returned by Run for names not in the registry.
type UnknownJobError struct{ Name string }

func (e *UnknownJobError) Error() string { return fmt.Sprintf("jobs: unknown job %q", e.Name) }

// Names lists the registered jobs.
func Names() []string {
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Run executes the named job under its timeout.
func Run(ctx context.Context, name string, env Env) error {
	e, ok := registry[name]
	if !ok {
		return &UnknownJobError{Name: name}
	}
	env.Log = env.Log.With("job", name)
	ctx, cancel := context.WithTimeout(ctx, e.timeout)
	defer cancel()
	start := time.Now()
	err := e.run(ctx, env)
	env.Log.Info("job finished", "took", time.Since(start).Round(time.Millisecond), "ok", err == nil)
	return err
}

// purgeDeparted deletes schedule index entries whose call ended over a week
// ago. It reads at most MaxPages pages per run; the next run continues.
func purgeDeparted(ctx context.Context, env Env) error {
	cutoff := time.Now().Add(-7 * 24 * time.Hour).Unix()
	params := env.listParams("berthidx:")
	var doomed []string
	for range env.MaxPages {
		page, err := env.Client.KV.Namespaces.Keys.List(ctx, env.MainNS, params)
		if err != nil {
			return err
		}
		for _, k := range page.Result {
			md, _ := k.Metadata.(map[string]any)
			if etd, ok := md["etd"].(float64); ok && int64(etd) < cutoff {
				doomed = append(doomed, k.Name)
			}
		}
		if page.ResultInfo.Cursors.After == "" {
			break
		}
		params.Cursor = cloudflare.F(page.ResultInfo.Cursors.After)
	}
	for start := 0; start < len(doomed); start += 1000 {
		_, err := env.Client.KV.Namespaces.Keys.BulkDelete(ctx, env.MainNS, kv.NamespaceKeyBulkDeleteParams{
			AccountID: cloudflare.F(env.Account),
			Body:      doomed[start:min(start+1000, len(doomed))],
		})
		if err != nil {
			return err
		}
	}
	env.Log.Info("purged index entries", "count", len(doomed))
	return nil
}

// syncStateKey holds the namespace-wide sync watermark.
const syncStateKey = "."

// markSync records that the nightly sync from the port community system
// finished.
func markSync(ctx context.Context, env Env) error {
	stamp := fmt.Sprintf(`{"finished_at":%q}`, time.Now().UTC().Format(time.RFC3339))
	return env.Store.Put(ctx, syncStateKey, []byte(stamp)) // EXPECT kvlimits
}
