// Package jobs holds the back office's background loops: flushing sensor
// hits, publishing live occupancy for signage and sweeping expired records.
package jobs

import (
	"context"
	"encoding/json"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"example.com/smew/internal/kvstore"
	"example.com/smew/internal/occupancy"
)

// Intervals, overridable from the environment at start-up.
var (
	FlushEvery   = kvstore.MustDuration("30s")
	PublishEvery = kvstore.MustDuration("250ms")
	SweepEvery   = kvstore.MustDuration("1h")
)

// HitFlusher accumulates sensor hits per zone in memory and publishes the
// running totals on every tick.
type HitFlusher struct {
	st    kvstore.Store
	every time.Duration
	log   *slog.Logger

	mu     sync.Mutex
	totals map[string]int
	dirty  map[string]bool
}

// NewHitFlusher returns a flusher writing to st.
func NewHitFlusher(st kvstore.Store, every time.Duration, log *slog.Logger) *HitFlusher {
	return &HitFlusher{st: st, every: every, log: log, totals: map[string]int{}, dirty: map[string]bool{}}
}

// Record counts n sensor hits for zone.
func (f *HitFlusher) Record(zone string, n int) {
	f.mu.Lock()
	f.totals[zone] += n
	f.dirty[zone] = true
	f.mu.Unlock()
}

// Run flushes on every tick and once more on shutdown.
func (f *HitFlusher) Run(ctx context.Context) {
	t := time.NewTicker(f.every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			if err := f.flush(context.WithoutCancel(ctx)); err != nil {
				f.log.Error("final hit flush", "err", err)
			}
			return
		case <-t.C:
			if err := f.flush(ctx); err != nil {
				f.log.Warn("hit flush", "err", err)
			}
		}
	}
}

func (f *HitFlusher) flush(ctx context.Context) error {
	f.mu.Lock()
	entries := make([]kvstore.Entry, 0, len(f.dirty))
	for zone := range f.dirty {
		entries = append(entries, kvstore.Entry{
			Key:   "hits:" + zone,
			Value: []byte(strconv.Itoa(f.totals[zone])),
		})
	}
	clear(f.dirty)
	f.mu.Unlock()
	return kvstore.PutAll(ctx, f.st, entries) // EXPECT kvcounter
}

// LiveSummary is what the signage network shows on the city map.
type LiveSummary struct {
	At       time.Time      `json:"at"`
	Occupied map[string]int `json:"occupied"`
}

// LivePublisher pushes the city-wide occupancy summary on a fixed cadence.
type LivePublisher struct {
	st      kvstore.Store
	tracker *occupancy.Tracker
	zones   []string
	every   time.Duration
	log     *slog.Logger
}

// NewLivePublisher returns a publisher for zones.
func NewLivePublisher(st kvstore.Store, tr *occupancy.Tracker, zones []string, every time.Duration, log *slog.Logger) *LivePublisher {
	return &LivePublisher{st: st, tracker: tr, zones: zones, every: every, log: log}
}

// Run publishes until ctx is cancelled.
func (p *LivePublisher) Run(ctx context.Context) {
	t := time.NewTicker(p.every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			sum := LiveSummary{At: now.UTC(), Occupied: make(map[string]int, len(p.zones))}
			for _, z := range p.zones {
				n, err := p.tracker.Current(ctx, z)
				if err != nil {
					continue
				}
				sum.Occupied[z] = n
			}
			b, _ := json.Marshal(sum)
			if err := p.st.Put(ctx, "signage:live-summary", b, 0); err != nil { // EXPECT kvhotkey
				p.log.Warn("publish live summary", "err", err)
			}
		}
	}
}
