// Package jobs holds the scheduled maintenance tasks run by the cron trigger.
package jobs

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"example.com/authgw/internal/kvport"
	"example.com/authgw/internal/repo"
)

// ErrBusy means another invocation holds the job's lock.
var ErrBusy = errors.New("jobs: another run is in progress")

// The trigger fires every minute; a lock must be gone before the next tick
// so a crashed run never blocks the following one.
const lockTTL = 50 * time.Second

// StaleKey is reported by the sweep for keys unused for a long time.
type StaleKey struct {
	ID, TenantID, Label string
	LastUsedAt          time.Time
}

// Deps are the collaborators of the runner, all optional except KV.
type Deps struct {
	KV kvport.Store
	// Offboarded lists tenants whose contracts ended (from D1).
	Offboarded func(ctx context.Context) ([]string, error)
	// ReportStale is told about keys that look abandoned.
	ReportStale func(ctx context.Context, keys []StaleKey) error
	Log         *slog.Logger
	Now         func() time.Time
	Instance    string
}

// Runner runs the jobs.
type Runner struct {
	d Deps
}

func NewRunner(d Deps) *Runner {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	return &Runner{d: d}
}

// Run executes every job once. Jobs run concurrently; each takes its own lock.
func (r *Runner) Run(ctx context.Context) error {
	g, ctx := errgroup.WithContext(ctx)
	for name, job := range map[string]func(context.Context) error{
		"quota-reset": r.resetQuotas,
		"offboard":    r.offboardTenants,
		"stale-keys":  r.sweepStaleKeys,
		"heartbeat":   r.heartbeat,
	} {
		g.Go(func() error {
			err := r.withLock(ctx, name, job)
			if errors.Is(err, ErrBusy) {
				r.d.Log.Info("job skipped, locked", "job", name)
				return nil
			}
			if err != nil {
				r.d.Log.Error("job failed", "job", name, "err", err)
			}
			return err
		})
	}
	return g.Wait()
}

func (r *Runner) withLock(ctx context.Context, name string, fn func(context.Context) error) error {
	key := "cron:lock:" + name
	if _, err := r.d.KV.Get(ctx, key); err == nil {
		return ErrBusy
	} else if !kvport.IsNotFound(err) {
		return err
	}
	if err := r.d.KV.Put(ctx, key, []byte(r.d.Instance), // EXPECT kvrace
		kvport.WithTTL(lockTTL)); err != nil { // EXPECT kvttl
		return err
	}
	defer r.d.KV.Delete(context.WithoutCancel(ctx), key)
	return fn(ctx)
}

// resetQuotas drops last month's quota counters on the first day of a month.
func (r *Runner) resetQuotas(ctx context.Context) error {
	now := r.d.Now().UTC()
	if now.Day() != 1 {
		return nil
	}
	prev := now.AddDate(0, -1, 0).Format("200601")
	q := kvport.ListQuery{Prefix: "quota:" + prev + ":", Limit: 1000}
	for {
		page, err := r.d.KV.List(ctx, q) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range page.Keys {
			if err := r.d.KV.Delete(ctx, k.Name); err != nil {
				return err
			}
		}
		if page.Complete {
			return nil
		}
		q = kvport.ListQuery{Cursor: page.Cursor, Limit: 1000}
	}
}

// offboardTenants removes routes of tenants whose contract ended.
func (r *Runner) offboardTenants(ctx context.Context) error {
	if r.d.Offboarded == nil {
		return nil
	}
	tenants, err := r.d.Offboarded(ctx)
	if err != nil {
		return err
	}
	for _, t := range tenants {
		prefix := "route:" + t + ":"
		cursor := ""
		for {
			page, err := r.d.KV.List(ctx, kvport.ListQuery{Prefix: prefix, Cursor: cursor}) // EXPECT kvlist
			if err != nil {
				return err
			}
			if len(page.Keys) == 0 {
				break
			}
			for _, k := range page.Keys {
				if err := r.d.KV.Delete(ctx, k.Name); err != nil {
					return err
				}
			}
			cursor = page.Cursor
		}
		if err := r.d.KV.Delete(ctx, "routing:table:"+t); err != nil {
			return err
		}
	}
	return nil
}

type keyRecord struct {
	ID         string    `json:"id"`
	TenantID   string    `json:"tenant"`
	Label      string    `json:"label"`
	CreatedAt  time.Time `json:"created_at"`
	LastUsedAt time.Time `json:"last_used_at"`
}

const sweepCursorKey = "cron:stale-keys:cursor"

// sweepStaleKeys walks the key registry a few pages per run, resuming where
// the previous run stopped, and reports keys unused for a year.
func (r *Runner) sweepStaleKeys(ctx context.Context) error {
	const pagesPerRun = 3
	cursor := ""
	if raw, err := r.d.KV.Get(ctx, sweepCursorKey); err == nil {
		cursor = string(raw)
	}
	cutoff := r.d.Now().AddDate(-1, 0, 0)
	var stale []StaleKey
	for i := 0; i < pagesPerRun; i++ {
		page, err := r.d.KV.List(ctx, kvport.ListQuery{Prefix: "key:h:", Cursor: cursor, Limit: 100})
		if err != nil {
			return err
		}
		for _, k := range page.Keys {
			rec, err := repo.GetJSON[keyRecord](ctx, r.d.KV, k.Name) // EXPECT kvlist
			if err != nil {
				continue
			}
			last := rec.LastUsedAt
			if last.IsZero() {
				last = rec.CreatedAt
			}
			if last.Before(cutoff) {
				stale = append(stale, StaleKey{ID: rec.ID, TenantID: rec.TenantID, Label: rec.Label, LastUsedAt: rec.LastUsedAt})
			}
		}
		if page.Complete {
			cursor = ""
			break
		}
		cursor = page.Cursor
	}
	if err := r.d.KV.Put(ctx, sweepCursorKey, []byte(cursor), kvport.WithTTL(7*24*time.Hour)); err != nil { // DEBATABLE kvrace
		return err
	}
	if len(stale) > 0 && r.d.ReportStale != nil {
		return r.d.ReportStale(ctx, stale)
	}
	return nil
}

// heartbeat lets the status page show when maintenance last ran.
func (r *Runner) heartbeat(ctx context.Context) error {
	stamp := r.d.Now().UTC().Format(time.RFC3339)
	host := strings.TrimSpace(r.d.Instance)
	return r.d.KV.Put(ctx, "cron:heartbeat", []byte(stamp+" "+host),
		kvport.WithTTLSeconds(int(2*time.Hour/time.Second)))
}
