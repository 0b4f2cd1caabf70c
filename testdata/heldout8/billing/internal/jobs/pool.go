package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"example.com/billing/internal/config"
	"example.com/billing/internal/keys"
	"example.com/billing/internal/storage"
)

// Task is one unit of pool work.
type Task func(ctx context.Context) error

// Pool runs tasks on a fixed number of workers and publishes a heartbeat so
// the ops dashboard can tell a stuck pool from an idle one.
type Pool struct {
	store   storage.Store
	name    string
	workers int
	log     *slog.Logger
}

// NewPool returns a Pool.
func NewPool(store storage.Store, name string, workers int, log *slog.Logger) *Pool {
	return &Pool{store: store, name: name, workers: workers, log: log}
}

// Run consumes tasks until the channel is closed or a task fails.
func (p *Pool) Run(ctx context.Context, tasks <-chan Task) error {
	hb := keys.New(keys.Jobs, p.name, "heartbeat").String()
	g, ctx := errgroup.WithContext(ctx)
	for w := 0; w < p.workers; w++ {
		g.Go(func() error {
			for t := range tasks {
				if err := t(ctx); err != nil {
					return err
				}
				if err := p.store.Put(ctx, hb, []byte(time.Now().UTC().Format(time.RFC3339Nano))); err != nil { // EXPECT kvhotkey
					p.log.Warn("pool heartbeat", "pool", p.name, "err", err)
				}
			}
			return nil
		})
	}
	return g.Wait()
}

// OrphanSweep finds customer records with no profile id, a few pages at a time.
type OrphanSweep struct {
	Store    storage.Store
	MaxPages int
	Log      *slog.Logger
}

// Run implements the job body.
func (o OrphanSweep) Run(ctx context.Context) error {
	opts := storage.ListOptions{
		Prefix: keys.Prefix(keys.Customers),
		Limit:  config.ExportPageSize * 2, // EXPECT kvlimits
	}
	found := 0
	for page := 0; page < o.MaxPages; page++ {
		res, err := o.Store.List(ctx, opts)
		if err != nil {
			return fmt.Errorf("orphan sweep: %w", err)
		}
		for _, k := range res.Keys {
			if strings.HasSuffix(k.Name, ":") {
				found++
			}
		}
		if res.Done() {
			break
		}
		opts.Cursor = res.Cursor
	}
	o.Log.Info("orphan sweep", "found", found)
	return nil
}
