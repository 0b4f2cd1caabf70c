// Package jobs holds the periodic and administrative jobs: seat
// reconciliation, trial reminders, exports and imports.
package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"

	"gadwall/internal/clock"
	"gadwall/internal/keys"
	"gadwall/internal/kvstore"
	"gadwall/internal/tenant"
)

// ErrLocked is returned when another instance holds a job lock.
var ErrLocked = errors.New("jobs: lock held by another instance")

const lockTTLSeconds = 30

// Mailer sends transactional email.
type Mailer interface {
	Send(ctx context.Context, to, template string, data map[string]string) error
}

// Jobs bundles the stores the jobs run against.
type Jobs struct {
	tenants     *tenant.Registry
	central     *kvstore.RESTStore
	centralV2   *kvstore.V2Store
	ops         *kvstore.RESTStore
	clock       clock.Clock
	mail        Mailer
	instance    string
	concurrency int
}

// New builds the job runner.
func New(tenants *tenant.Registry, central *kvstore.RESTStore, centralV2 *kvstore.V2Store, ops *kvstore.RESTStore, clk clock.Clock, mail Mailer, instance string, concurrency int) *Jobs {
	return &Jobs{tenants: tenants, central: central, centralV2: centralV2, ops: ops, clock: clk, mail: mail, instance: instance, concurrency: concurrency}
}

// acquire takes a cluster-wide lock for the named job.
func (j *Jobs) acquire(ctx context.Context, name string) (func(), error) {
	k := keys.Lock(name)
	if _, err := j.ops.Get(ctx, k); err == nil {
		return nil, ErrLocked
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return nil, err
	}
	api, rc, ns := j.ops.API()
	pair := &cloudflare.WorkersKVPair{Key: k.String(), Value: j.instance}
	pair.ExpirationTTL = lockTTLSeconds                                                                                                                            // EXPECT kvttl
	if _, err := api.WriteWorkersKVEntries(ctx, rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: ns, KVs: []*cloudflare.WorkersKVPair{pair}}); err != nil { // EXPECT kvrace
		return nil, err
	}
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = j.ops.Delete(ctx, k)
	}, nil
}

// Run executes the periodic jobs every interval until ctx is done.
func (j *Jobs) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			j.tick(ctx)
		}
	}
}

func (j *Jobs) tick(ctx context.Context) {
	release, err := j.acquire(ctx, "periodic")
	if errors.Is(err, ErrLocked) {
		return
	}
	if err != nil {
		slog.Error("jobs: lock", "err", err)
		return
	}
	defer release()

	if w, err := j.maintenanceWindow(ctx); err != nil {
		slog.Error("jobs: maintenance window", "err", err)
		return
	} else if w != nil && w.Active(j.clock.Now()) {
		return
	}
	reports, err := j.ReconcileSeats(ctx)
	if err != nil {
		slog.Error("jobs: reconcile seats", "err", err)
	}
	if err := j.writeSummary(ctx, reports); err != nil {
		slog.Error("jobs: summary", "err", err)
	}
	if err := j.SendTrialReminders(ctx); err != nil {
		slog.Error("jobs: trial reminders", "err", err)
	}
}

type window struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

func (w *window) Active(now time.Time) bool { return now.After(w.Start) && now.Before(w.End) }

// maintenanceWindow returns the scheduled maintenance window, if any.
func (j *Jobs) maintenanceWindow(ctx context.Context) (*window, error) {
	api, rc, ns := j.ops.API()
	raw, err := api.GetWorkersKV(ctx, rc, cloudflare.GetWorkersKVParams{NamespaceID: ns, Key: "config/maintenance"})
	if err != nil {
		return nil, fmt.Errorf("jobs: read maintenance window: %w", err)
	}
	if len(raw) == 0 { // EXPECT kvnull
		return nil, nil
	}
	var w window
	if err := json.Unmarshal(raw, &w); err != nil {
		return nil, err
	}
	return &w, nil
}

// Summary is the dashboard's snapshot of seat usage.
type Summary struct {
	GeneratedAt time.Time    `json:"generated_at"`
	Tenants     []SeatReport `json:"tenants"`
}

// writeSummary stores the snapshot computed by this tick.
func (j *Jobs) writeSummary(ctx context.Context, reports []SeatReport) error {
	b, err := json.Marshal(Summary{GeneratedAt: j.clock.Now(), Tenants: reports})
	if err != nil {
		return err
	}
	return j.ops.PutTTL(ctx, keys.Static("summary/seats"), b, 6*time.Hour)
}
