package jobs

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	"example.com/smew/internal/kvstore"
	"example.com/smew/internal/routing"
)

const (
	sweepMaxPages = 20
	sweepMaxKeys  = 10_000
)

// Sweeper removes visitor passes that ended more than a day ago from every
// district namespace, and reports plate index entries whose permit is gone.
type Sweeper struct {
	stores *routing.Stores
	every  time.Duration
	log    *slog.Logger
}

// NewSweeper returns a sweeper over every district namespace.
func NewSweeper(stores *routing.Stores, every time.Duration, log *slog.Logger) *Sweeper {
	return &Sweeper{stores: stores, every: every, log: log}
}

// Run sweeps on every tick.
func (s *Sweeper) Run(ctx context.Context) {
	t := time.NewTicker(s.every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.sweepAll(ctx)
		}
	}
}

func (s *Sweeper) sweepAll(ctx context.Context) {
	var wg sync.WaitGroup
	for _, ns := range s.stores.Table.Districts() {
		wg.Go(func() {
			st, err := s.stores.Namespace(ctx, ns)
			if err != nil {
				s.log.Warn("open namespace", "ns", ns, "err", err)
				return
			}
			if err := s.sweepPasses(ctx, st); err != nil {
				s.log.Warn("sweep passes", "ns", ns, "err", err)
			}
			orphans, err := s.orphanedPlates(ctx, st)
			if err != nil {
				s.log.Warn("orphan scan", "ns", ns, "err", err)
				return
			}
			if len(orphans) > 0 {
				s.log.Info("orphaned plate index entries", "ns", ns, "count", len(orphans))
			}
		})
	}
	wg.Wait()
}

// sweepPasses deletes ended passes; pass keys carry their end date,
// pass:<yyyymmdd>:<id>, so no values need to be read.
func (s *Sweeper) sweepPasses(ctx context.Context, st kvstore.Store) error {
	keys, _, err := kvstore.CollectKeys(ctx, st, "pass:", sweepMaxPages, sweepMaxKeys)
	if err != nil {
		return err
	}
	cutoff := time.Now().UTC().AddDate(0, 0, -1).Format("20060102")
	var stale []string
	for _, k := range keys {
		parts := strings.SplitN(k, ":", 3)
		if len(parts) == 3 && parts[1] < cutoff {
			stale = append(stale, k)
		}
	}
	return kvstore.DeleteAll(ctx, st, stale)
}

// orphanedPlates returns plate index keys whose permit no longer exists.
func (s *Sweeper) orphanedPlates(ctx context.Context, st kvstore.Store) ([]string, error) {
	l, ok := st.(kvstore.Lister)
	if !ok {
		return nil, kvstore.ErrNotSupported
	}
	var orphans []string
	opts := kvstore.ListOptions{Prefix: "plate:"}
	for {
		page, err := l.List(ctx, opts) // EXPECT kvlist
		if err != nil {
			return orphans, err
		}
		for _, k := range page.Keys {
			id, err := st.Get(ctx, k.Name) // EXPECT kvlist
			if err != nil || !id.Found {
				continue
			}
			permit, err := st.Get(ctx, "permit:"+string(id.Value)) // DEBATABLE kvlist
			if err == nil && !permit.Found {
				orphans = append(orphans, k.Name)
			}
		}
		if page.Complete {
			break
		}
		opts.Cursor = page.Cursor
	}
	return orphans, nil
}
