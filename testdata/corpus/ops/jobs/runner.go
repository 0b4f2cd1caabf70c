// Package jobs holds the periodic tasks run by cmd/cron.
package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"time"

	cfv0 "github.com/cloudflare/cloudflare-go"
	cf4 "github.com/cloudflare/cloudflare-go/v4"
	cf6 "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/ops/internal/config"
	"example.com/ops/internal/kvstore"
)

// Runner carries the clients the jobs share.
type Runner struct {
	Legacy  *cfv0.API
	RC      *cfv0.ResourceContainer
	V6      *cf6.Client
	V4      *cf4.Client
	Account string
	DB      *sql.DB
	Edge    *kvstore.Store
	host    string
}

// NewRunner returns a Runner.
func NewRunner(legacy *cfv0.API, rc *cfv0.ResourceContainer, v6 *cf6.Client, v4 *cf4.Client, account string, db *sql.DB) *Runner {
	host, _ := os.Hostname()
	return &Runner{
		Legacy: legacy, RC: rc, V6: v6, V4: v4, Account: account, DB: db,
		Edge: kvstore.New(v6, account, config.NamespaceEdge),
		host: host,
	}
}

var errLocked = errors.New("job is running elsewhere")

// lock takes a best-effort lock so two cron hosts don't start the same job
// in the same minute.
func (r *Runner) lock(ctx context.Context, job string) (unlock func(), err error) {
	key := "cron-lock:" + job
	holder, err := r.Legacy.GetWorkersKV(ctx, r.RC, cfv0.GetWorkersKVParams{NamespaceID: config.NamespaceEdge, Key: key})
	if err == nil {
		return nil, fmt.Errorf("%w (%s)", errLocked, holder)
	}
	var nf *cfv0.NotFoundError
	if !errors.As(err, &nf) {
		return nil, err
	}
	_, err = r.Legacy.WriteWorkersKVEntries(ctx, r.RC, cfv0.WriteWorkersKVEntriesParams{ // DEBATABLE kvrace
		NamespaceID: config.NamespaceEdge,
		KVs: []*cfv0.WorkersKVPair{{
			Key:           key,
			Value:         r.host,
			ExpirationTTL: config.CronLockTTLSeconds, // EXPECT kvttl
		}},
	})
	if err != nil {
		return nil, err
	}
	return func() {
		_, err := r.Legacy.DeleteWorkersKVEntry(context.WithoutCancel(ctx), r.RC, cfv0.DeleteWorkersKVEntryParams{
			NamespaceID: config.NamespaceEdge,
			Key:         key,
		})
		if err != nil {
			slog.Warn("release cron lock", "job", job, "err", err)
		}
	}, nil
}

// Run runs fn under the job's lock and records when it last succeeded.
func (r *Runner) Run(ctx context.Context, job string, fn func(context.Context) error) error {
	unlock, err := r.lock(ctx, job)
	if errors.Is(err, errLocked) {
		slog.Info("skipping job", "job", job, "reason", err)
		return nil
	}
	if err != nil {
		return err
	}
	defer unlock()

	start := time.Now()
	if err := fn(ctx); err != nil {
		return fmt.Errorf("%s: %w", job, err)
	}
	lastRun := &cfv0.WorkersKVPair{Key: "lastrun:" + job}
	lastRun.Value = strconv.FormatInt(start.Unix(), 10)
	lastRun.ExpirationTTL = int((7 * 24 * time.Hour).Seconds())
	_, err = r.Legacy.WriteWorkersKVEntries(ctx, r.RC, cfv0.WriteWorkersKVEntriesParams{
		NamespaceID: config.NamespaceEdge,
		KVs:         []*cfv0.WorkersKVPair{lastRun},
	})
	return err
}

// Heartbeat tells the status worker this cron host is alive.
func (r *Runner) Heartbeat(ctx context.Context) error {
	_, err := r.V6.KV.Namespaces.Values.Update(ctx, config.NamespaceEdge, "heartbeat:"+r.host, kv.NamespaceValueUpdateParams{
		AccountID:     cf6.F(r.Account),
		Value:         cf6.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(strconv.FormatInt(time.Now().Unix(), 10))),
		ExpirationTTL: cf6.F(float64(config.HeartbeatTTLSeconds)),
	})
	return err
}
