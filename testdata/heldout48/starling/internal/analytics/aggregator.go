// Package analytics turns raw listen events and CDN download logs into the
// per-episode numbers shown to hosts.
package analytics

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"starling/internal/keys"
	"starling/internal/kvrest"
	"starling/internal/retry"
)

const (
	playsRoot    keys.Key = "plays"
	hitsRoot     keys.Key = "hits"
	rollupRoot   keys.Key = "rollup"
	heartbeatKey          = "analytics:heartbeat"
)

// Aggregator buffers play events and download counts in memory and writes
// them behind, when its flush timer fires. Plays are sharded by episode and
// day.
type Aggregator struct {
	kv         *kvrest.Instrumented
	log        *slog.Logger
	shards     int
	flushEvery time.Duration

	mu        sync.Mutex
	pending   map[keys.Key]int
	downloads map[string]int64 // running totals since process start
	timer     *time.Timer
}

// NewAggregator returns an aggregator writing to kv.
func NewAggregator(kv *kvrest.Instrumented, log *slog.Logger, shards int, flushEvery time.Duration) *Aggregator {
	return &Aggregator{kv: kv, log: log, shards: shards, flushEvery: flushEvery,
		pending: map[keys.Key]int{}, downloads: map[string]int64{}}
}

// RecordPlay counts one qualified play (60 s or more of audio).
func (a *Aggregator) RecordPlay(ep keys.Episode, at time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.pending[playsRoot.With(ep.Show).With(ep.ID).Day(at)]++
	a.armLocked()
}

// RecordDownloads adds the downloads of a show parsed from a CDN log file.
func (a *Aggregator) RecordDownloads(show string, n int64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.downloads[show] += n
	a.armLocked()
}

func (a *Aggregator) armLocked() {
	if a.timer == nil {
		a.timer = time.AfterFunc(a.flushEvery, func() {
			ctx, cancel := context.WithTimeout(context.Background(), a.flushEvery)
			defer cancel()
			if err := a.Flush(ctx); err != nil {
				a.log.Error("analytics flush", "err", err)
			}
		})
	}
}

// Flush writes everything buffered since the last flush.
func (a *Aggregator) Flush(ctx context.Context) error {
	a.mu.Lock()
	plays := a.pending
	a.pending, a.timer = map[keys.Key]int{}, nil
	totals := make(map[string]int64, len(a.downloads))
	for show, n := range a.downloads {
		totals[show] = n
	}
	a.mu.Unlock()

	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for base, delta := range plays {
		g.Go(func() error {
			key := base.Shard(rand.IntN(a.shards)).String()
			return retry.Do(gctx, retry.Default, func(ctx context.Context) error {
				cur := 0
				raw, err := a.kv.Get(ctx, key)
				switch {
				case err == nil:
					if cur, err = strconv.Atoi(string(raw)); err != nil {
						return retry.Permanent{Err: err}
					}
				case !errors.Is(err, kvrest.ErrNotFound):
					return err
				}
				return a.kv.Put(ctx, key, []byte(strconv.Itoa(cur+delta))) // EXPECT kvcounter|kvrace
			})
		})
	}
	for show, n := range totals {
		g.Go(func() error {
			return a.kv.Put(gctx, hitsRoot.With(show).String(), []byte(strconv.FormatInt(n, 10))) // EXPECT kvcounter
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return a.kv.PutTTL(ctx, heartbeatKey, []byte(time.Now().UTC().Format(time.RFC3339)), 24*time.Hour)
}

// RollupDay rolls up the given episodes for day. A marker key records a
// finished run so that the nightly job can be re-run after a partial failure
// without redoing finished days.
func (a *Aggregator) RollupDay(ctx context.Context, day time.Time, eps []keys.Episode) error {
	done := keys.Key("job").Child("rollup").Day(day).String()
	if _, err := a.kv.Get(ctx, done); err == nil {
		return nil
	} else if !errors.Is(err, kvrest.ErrNotFound) {
		return err
	}
	for _, ep := range eps {
		if _, err := a.Rollup(ctx, ep, day); err != nil {
			return err
		}
	}
	return a.kv.PutTTL(ctx, done, []byte(time.Now().UTC().Format(time.RFC3339)), 35*24*time.Hour) // DEBATABLE kvrace
}

// Rollup sums an episode's play shards for one day into its rollup key,
// with the total also in the key's metadata for listings.
func (a *Aggregator) Rollup(ctx context.Context, ep keys.Episode, day time.Time) (int, error) {
	base := playsRoot.With(ep.Show).With(ep.ID).Day(day)
	counts := make([]int, a.shards)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for i := range a.shards {
		g.Go(func() error {
			raw, err := a.kv.Get(gctx, base.Shard(i).String())
			if errors.Is(err, kvrest.ErrNotFound) {
				return nil
			}
			if err == nil {
				counts[i], err = strconv.Atoi(string(raw))
			}
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return 0, err
	}
	total := 0
	for _, c := range counts {
		total += c
	}
	return total, a.kv.Bulk(ctx, []kvrest.Pair{{ // DEBATABLE kvcounter
		Key:      rollupRoot.With(ep.Show).With(ep.ID).Day(day).String(),
		Value:    []byte(strconv.Itoa(total)),
		TTL:      400 * 24 * time.Hour,
		Metadata: map[string]any{"total": total},
	}})
}
