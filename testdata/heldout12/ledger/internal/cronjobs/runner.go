//go:build js && wasm

// Package cronjobs implements the worker's scheduled maintenance: sweeping
// stale holds, nightly exports, the card-code filter and shop summaries.
package cronjobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"

	"example.com/ledger/internal/audit"
	"example.com/ledger/internal/config"
	"example.com/ledger/internal/consts"
	"example.com/ledger/internal/deps"
	"example.com/ledger/internal/edgecache"
	"example.com/ledger/internal/repo"
	"example.com/ledger/internal/retry"
	"example.com/ledger/internal/shops"
	"example.com/ledger/internal/storage"
)

const nullText = "<null>"

// Runner holds what the jobs need.
type Runner struct {
	cfg       config.Cron
	log       *slog.Logger
	kv        *cloudflare.KVNamespace
	store     storage.Store
	cache     *edgecache.Cache
	shops     *shops.Directory
	manifests *repo.Repository[Manifest]
	progress  atomic.Int64
}

type task struct {
	name string
	run  func(context.Context) (int, error)
}

type checkpoint struct {
	RunID    string         `json:"run_id"`
	Cron     string         `json:"cron"`
	Started  time.Time      `json:"started"`
	Finished time.Time      `json:"finished"`
	Done     map[string]int `json:"done"`
	Failed   []string       `json:"failed,omitempty"`
}

// New builds a Runner from the registry.
func New(reg *deps.Registry) (*Runner, error) {
	cfg := reg.MustLookup(deps.Config).(config.Config)
	kv, err := cloudflare.NewKVNamespace(string(cfg.Storage.Bindings.Ledger))
	if err != nil {
		return nil, err
	}
	store := reg.MustLookup(deps.Ledger).(storage.Store)
	return &Runner{
		cfg:       cfg.Cron,
		log:       reg.MustLookup(deps.Logger).(*slog.Logger).With("component", "cron"),
		kv:        kv,
		store:     store,
		cache:     reg.MustLookup(deps.Cache).(*edgecache.Cache),
		shops:     reg.MustLookup(deps.Shops).(*shops.Directory),
		manifests: repo.New[Manifest](store, func(string) string { return Manifest{}.Key() }),
	}, nil
}

func (j *Runner) schedule(expr string) []task {
	switch expr {
	case "*/15 * * * *":
		return []task{
			{"sweep-holds", j.sweepHolds},
		}
	case "0 3 * * *":
		return []task{
			{"export-accounts", j.exportAccounts},
			{"export-cards", j.exportCards},
			{"low-balance-digest", j.lowBalanceDigest},
			{"member-counts", j.memberCounts},
			{"prune-receipts", j.pruneReceipts},
			{"code-filter", j.rebuildCodeFilter},
			{"shop-summaries", j.summarizeShops},
			{"purge-audit", func(ctx context.Context) (int, error) {
				return audit.Purge(ctx, j.store, time.Now().AddDate(0, 0, -90), consts.MaxSweepPages)
			}},
		}
	default:
		return nil
	}
}

// Run is the cron.Task entry point.
func (j *Runner) Run(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	tasks := j.schedule(ev.Cron)
	if len(tasks) == 0 {
		j.log.Warn("no tasks for schedule", "cron", ev.Cron)
		return nil
	}
	runID := newRunID()
	ok, err := j.acquireLock(ctx, runID)
	if err != nil || !ok {
		return err
	}
	defer func() {
		if err := j.kv.Delete(consts.KeyCronLock); err != nil {
			j.log.Warn("release lock", "err", err)
		}
	}()

	cp := checkpoint{RunID: runID, Cron: ev.Cron, Started: time.Now().UTC(), Done: map[string]int{}}
	defer func() {
		cp.Finished = time.Now().UTC()
		b, _ := json.Marshal(cp)
		err := j.kv.PutString(consts.KeyCronCheckpoint, string(b), &cloudflare.KVNamespacePutOptions{
			ExpirationTTL: int(j.cfg.CheckpointTTL), // EXPECT kvttl
		})
		if err != nil {
			j.log.Error("checkpoint", "err", err)
		}
	}()

	stop := j.reportProgress(ctx)
	defer stop()
	for _, t := range tasks {
		n, err := t.run(ctx)
		if err != nil {
			j.log.Error("task failed", "task", t.name, "err", err)
			cp.Failed = append(cp.Failed, t.name)
			continue
		}
		cp.Done[t.name] = n
		j.progress.Add(int64(n))
	}
	return nil
}

func newRunID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// acquireLock keeps overlapping invocations of the same schedule apart.
func (j *Runner) acquireLock(ctx context.Context, runID string) (bool, error) {
	holder, err := j.kv.GetString(consts.KeyCronLock, nil)
	if err != nil {
		return false, err
	}
	if holder != nullText {
		j.log.Info("previous run still active", "holder", holder)
		return false, nil
	}
	err = retry.Do(ctx, retry.Default, func() error {
		return j.kv.PutString(consts.KeyCronLock, runID, &cloudflare.KVNamespacePutOptions{ // EXPECT kvrace
			ExpirationTTL: int(j.cfg.LockTTL.Seconds()),
		})
	})
	return err == nil, err
}

// reportProgress publishes the running item count for the admin console
// until the returned stop function is called.
func (j *Runner) reportProgress(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(500 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				v := fmt.Sprintf(`{"items":%d,"at":%q}`, j.progress.Load(), time.Now().UTC().Format(time.RFC3339))
				if err := j.kv.PutString(consts.KeyCronProgress, v, nil); err != nil { // EXPECT kvhotkey
					j.log.Warn("progress", "err", err)
				}
			}
		}
	}()
	return func() {
		cancel()
		<-done
	}
}
