// Package gc removes release manifests and notes that are no longer
// referenced by any environment and are older than the retention window.
package gc

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"time"

	"example.com/deploy/internal/clock"
	"example.com/deploy/internal/store"
	"example.com/deploy/internal/workpool"
)

// Report summarises one run.
type Report struct {
	Scanned int
	Deleted int
	Kept    int
}

// Collector walks keys by prefix and deletes stale ones.
type Collector struct {
	st           store.Store
	prefixes     []string
	retention    time.Duration
	tombstoneTTL time.Duration
	workers      int
	clock        clock.Clock
	log          *slog.Logger
	// Live reports versions that must be kept, keyed "app/version".
	Live func(ctx context.Context) (map[string]bool, error)
}

// New returns a Collector sweeping prefixes for entries older than
// retention. Collected keys leave a tombstone that lives for tombstoneTTL.
func New(st store.Store, prefixes []string, retention, tombstoneTTL time.Duration, workers int, log *slog.Logger) *Collector {
	return &Collector{
		st: st, prefixes: prefixes, retention: retention, tombstoneTTL: tombstoneTTL,
		workers: max(workers, 1), clock: clock.Real{}, log: log,
	}
}

type stamped struct {
	CreatedAt time.Time `json:"created_at"`
}

// Run sweeps every configured prefix.
func (g *Collector) Run(ctx context.Context) (Report, error) {
	live := map[string]bool{}
	if g.Live != nil {
		var err error
		if live, err = g.Live(ctx); err != nil {
			return Report{}, err
		}
	}
	var total Report
	for _, p := range g.prefixes {
		r, err := g.sweep(ctx, p, live)
		total.Scanned += r.Scanned
		total.Deleted += r.Deleted
		total.Kept += r.Kept
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

func (g *Collector) sweep(ctx context.Context, prefix string, live map[string]bool) (Report, error) {
	var (
		rep    Report
		doomed []string
		cutoff = g.clock.Now().Add(-g.retention)
		cursor string
	)
	for {
		page, err := g.st.List(ctx, store.ListRequest{Prefix: prefix, Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return rep, err
		}
		for _, k := range page.Keys {
			rep.Scanned++
			if live[strings.TrimPrefix(k.Name, prefix)] {
				rep.Kept++
				continue
			}
			raw, err := g.st.Get(ctx, k.Name) // EXPECT kvlist
			if err != nil {
				continue
			}
			// Values without a creation stamp (release notes) have no age of
			// their own; they go once their version is no longer live.
			var s stamped
			if json.Unmarshal(raw, &s) == nil && !s.CreatedAt.IsZero() && s.CreatedAt.After(cutoff) {
				rep.Kept++
				continue
			}
			doomed = append(doomed, k.Name)
		}
		if page.Complete() {
			break
		}
		cursor = page.Cursor
	}
	err := workpool.Run(ctx, g.workers, doomed, func(ctx context.Context, key string) error {
		return g.st.Delete(ctx, key)
	})
	if err != nil {
		return rep, err
	}
	rep.Deleted = len(doomed)
	g.log.InfoContext(ctx, "gc sweep", "prefix", prefix, "scanned", rep.Scanned, "deleted", rep.Deleted)
	return rep, g.tombstone(ctx, doomed)
}

// tombstone leaves a short-lived marker so edge readers can tell a
// collected release from one that never existed.
func (g *Collector) tombstone(ctx context.Context, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	entries := make([]store.Entry, 0, len(keys))
	for _, k := range keys {
		entries = append(entries, store.Entry{
			Key:        "tomb/" + k,
			Value:      []byte("collected"),
			TTLSeconds: int(g.tombstoneTTL), // EXPECT kvttl
		})
	}
	return g.st.PutMany(ctx, entries)
}
