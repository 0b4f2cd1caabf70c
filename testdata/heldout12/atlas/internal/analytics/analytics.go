// Package analytics aggregates page views per site into daily rollups.
package analytics

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"sync"
	"time"

	"example.com/atlas/internal/config"
	"example.com/atlas/internal/consts"
	"example.com/atlas/internal/storage"
)

// Rollup is the aggregate of one site for one UTC day.
type Rollup struct {
	SiteID string           `json:"site"`
	Day    string           `json:"day"`
	Views  int64            `json:"views"`
	Paths  map[string]int64 `json:"paths"`
	Flushd time.Time        `json:"flushed_at"`
}

func rollupKey(siteID, day string) string { return consts.PrefixRollup.Key(siteID, day) }

type delta struct {
	views int64
	paths map[string]int64
}

// Collector buffers views in memory and flushes them on a ticker.
type Collector struct {
	store storage.Store
	cfg   config.AnalyticsConfig
	log   *slog.Logger

	mu      sync.Mutex
	pending map[string]*delta
	totals  map[string]int64
}

func NewCollector(s storage.Store, cfg config.AnalyticsConfig, log *slog.Logger) *Collector {
	return &Collector{
		store:   s,
		cfg:     cfg,
		log:     log,
		pending: make(map[string]*delta),
		totals:  make(map[string]int64),
	}
}

// Record notes one view of path on siteID.
func (c *Collector) Record(siteID, path string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	d := c.pending[siteID]
	if d == nil {
		d = &delta{paths: make(map[string]int64)}
		c.pending[siteID] = d
	}
	d.views++
	d.paths[path]++
}

func (c *Collector) drain() map[string]*delta {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.pending
	c.pending = make(map[string]*delta)
	return out
}

// Run flushes on every tick until ctx ends, then flushes once more.
func (c *Collector) Run(ctx context.Context) error {
	t := time.NewTicker(c.cfg.FlushInterval)
	defer t.Stop()
	defer func() {
		flushCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		c.flush(flushCtx)
		b, _ := json.Marshal(map[string]any{"instance": c.cfg.Instance, "stopped_at": time.Now().UTC()})
		_ = c.store.Put(flushCtx, consts.PrefixJob.Key("analytics", c.cfg.Instance), b, 0)
	}()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
			c.flush(ctx)
		}
	}
}

func (c *Collector) flush(ctx context.Context) {
	batch := c.drain()
	if len(batch) == 0 {
		return
	}
	day := time.Now().UTC().Format("2006-01-02")
	sem := make(chan struct{}, c.cfg.Workers)
	var wg sync.WaitGroup
	for _, siteID := range slices.Sorted(maps.Keys(batch)) {
		d := batch[siteID]
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := c.mergeRollup(ctx, siteID, day, d); err != nil {
				c.log.Warn("rollup flush failed", "site", siteID, "err", err)
			}
			if err := c.writeTotal(ctx, siteID, d.views); err != nil {
				c.log.Warn("total flush failed", "site", siteID, "err", err)
			}
		}()
	}
	wg.Wait()
}

func (c *Collector) mergeRollup(ctx context.Context, siteID, day string, d *delta) error {
	key := rollupKey(siteID, day)
	r := Rollup{SiteID: siteID, Day: day, Paths: map[string]int64{}}
	b, err := c.store.Get(ctx, key)
	switch {
	case errors.Is(err, storage.ErrNotFound):
	case err != nil:
		return err
	default:
		if err := json.Unmarshal(b, &r); err != nil {
			return err
		}
		if r.Paths == nil {
			r.Paths = map[string]int64{}
		}
	}
	r.Views += d.views
	for p, n := range d.paths {
		r.Paths[p] += n
	}
	r.Flushd = time.Now().UTC()
	out, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return c.store.Put(ctx, key, out, 0) // EXPECT kvcounter|kvrace
}

// writeTotal publishes the all-time view count this instance has seen.
func (c *Collector) writeTotal(ctx context.Context, siteID string, n int64) error {
	c.mu.Lock()
	c.totals[siteID] += n
	total := c.totals[siteID]
	c.mu.Unlock()
	return c.store.Put(ctx, consts.PrefixViews.Key(siteID), []byte(strconv.FormatInt(total, 10)), 0) // EXPECT kvcounter
}

const heartbeatEvery = 500 * time.Millisecond

// Heartbeat publishes liveness for the ops dashboard until ctx ends.
func (c *Collector) Heartbeat(ctx context.Context) {
	t := time.NewTicker(heartbeatEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			b, _ := json.Marshal(map[string]any{"instance": c.cfg.Instance, "at": now.UTC()})
			if err := c.store.Put(ctx, consts.KeyHeartbeat, b, 0); err != nil { // EXPECT kvhotkey
				c.log.Debug("heartbeat failed", "err", err)
			}
		}
	}
}

// Summary returns the rollup of one day.
func (c *Collector) Summary(ctx context.Context, siteID, day string) (Rollup, error) {
	b, _ := c.store.Get(ctx, rollupKey(siteID, day)) // EXPECT kvnull
	var r Rollup
	if err := json.Unmarshal(b, &r); err != nil {
		return Rollup{}, err
	}
	return r, nil
}

// Rebuild recomputes the site's summary over days from the daily rollups,
// writing the partial result as it goes so the dashboard shows progress.
func (c *Collector) Rebuild(ctx context.Context, siteID string, days []string) (Rollup, error) {
	sum := Rollup{SiteID: siteID, Day: "summary", Paths: map[string]int64{}}
	summaryKey := rollupKey(siteID, "summary")
	for _, day := range days {
		b, err := c.store.Get(ctx, rollupKey(siteID, day))
		if errors.Is(err, storage.ErrNotFound) {
			continue
		}
		if err != nil {
			return Rollup{}, err
		}
		var r Rollup
		if err := json.Unmarshal(b, &r); err != nil {
			return Rollup{}, err
		}
		sum.Views += r.Views
		for p, n := range r.Paths {
			sum.Paths[p] += n
		}
		sum.Flushd = time.Now().UTC()
		out, _ := json.Marshal(sum)
		if err := c.store.Put(ctx, summaryKey, out, 0); err != nil { // EXPECT kvhotkey
			return Rollup{}, err
		}
	}
	return sum, nil
}
