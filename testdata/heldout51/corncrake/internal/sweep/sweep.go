// Package sweep holds the portal's background jobs: the withdrawn-result
// sweeper, the hit-count flusher, the live-stats publisher and the reference
// range refresher. Each runs on its own ticker until its context ends.
package sweep

import (
	"context"
	"encoding/json"
	"log/slog"
	"maps"
	"strconv"
	"strings"
	"sync"
	"time"

	"example.com/corncrake/internal/config"
	"example.com/corncrake/internal/kvstore"
)

// every runs fn on a ticker until ctx is done.
func every(ctx context.Context, d time.Duration, fn func(context.Context)) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			fn(ctx)
		}
	}
}

// Sweeper deletes results that a clinic withdrew, with their cached summaries.
type Sweeper struct {
	Store kvstore.Store
	Log   *slog.Logger
}

// Run sweeps every config.SweepEvery.
func (s *Sweeper) Run(ctx context.Context) {
	every(ctx, config.SweepEvery, func(ctx context.Context) {
		n, err := s.SweepOnce(ctx)
		if err != nil {
			s.Log.Warn("sweep failed", "err", err, "deleted", n)
			return
		}
		s.Log.Info("sweep done", "deleted", n)
	})
}

// SweepOnce inspects at most SweepMaxPages pages; the next run continues.
func (s *Sweeper) SweepOnce(ctx context.Context) (int, error) {
	l, ok := s.Store.(kvstore.Lister)
	if !ok {
		return 0, nil
	}
	var doomed []string
	opts := kvstore.ListOptions{Prefix: "result:", Limit: config.ListPageSize}
	for page := 0; page < config.SweepMaxPages; page++ {
		r := l.List(ctx, opts)
		if r.Err != nil {
			return 0, r.Err
		}
		for _, k := range r.Val.Keys {
			if m, ok := k.Metadata.(map[string]any); ok && m["status"] == "withdrawn" {
				id := k.Name[strings.LastIndexByte(k.Name, ':')+1:]
				doomed = append(doomed, k.Name, "summary:"+id)
			}
		}
		if r.Val.Complete {
			break
		}
		opts.Cursor = r.Val.Cursor
	}
	if bd, ok := s.Store.(kvstore.BatchDeleter); ok {
		return len(doomed), bd.DeleteBatch(ctx, doomed)
	}
	for i, k := range doomed {
		if err := s.Store.Delete(ctx, k); err != nil {
			return i, err
		}
	}
	return len(doomed), nil
}

// HitFlusher counts portal page views per clinic in memory and publishes the
// running totals for the clinic dashboard.
type HitFlusher struct {
	Store kvstore.Store
	Log   *slog.Logger

	mu      sync.Mutex
	pending map[string]int
	totals  map[string]int
}

// Hit records one page view.
func (f *HitFlusher) Hit(clinicID string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.pending == nil {
		f.pending = map[string]int{}
	}
	f.pending[clinicID]++
}

// Run flushes every config.HitsFlushEvery.
func (f *HitFlusher) Run(ctx context.Context) {
	every(ctx, config.HitsFlushEvery, f.flush)
}

func (f *HitFlusher) flush(ctx context.Context) {
	f.mu.Lock()
	batch := f.pending
	f.pending = nil
	if f.totals == nil {
		f.totals = map[string]int{}
	}
	for clinicID, n := range batch {
		f.totals[clinicID] += n
	}
	snapshot := maps.Clone(f.totals)
	f.mu.Unlock()
	for clinicID := range batch {
		if err := f.Store.Put(ctx, "hits:"+clinicID, []byte(strconv.Itoa(snapshot[clinicID])), kvstore.PutOptions{}); err != nil { // EXPECT kvcounter
			f.Log.Warn("hit flush failed", "clinic", clinicID, "err", err)
		}
	}
}

// LiveStats publishes a small snapshot for the operations wall display.
type LiveStats struct {
	Store    kvstore.Store
	Log      *slog.Logger
	Snapshot func() map[string]int
}

// Run publishes every config.LiveStatsEvery.
func (s *LiveStats) Run(ctx context.Context) {
	every(ctx, config.LiveStatsEvery, func(ctx context.Context) {
		raw, _ := json.Marshal(s.Snapshot())
		if err := s.Store.Put(ctx, "ops:live-stats", raw, kvstore.PutOptions{}); err != nil { // EXPECT kvhotkey
			s.Log.Warn("live stats write failed", "err", err)
		}
	})
}

// ReferenceRefresher copies the lab's current reference ranges from the LIS
// into KV, where the results pages read them.
type ReferenceRefresher struct {
	Store kvstore.Store
	Log   *slog.Logger
	Fetch func(context.Context) ([]byte, error)
}

// Run refreshes every config.ReferenceRefresh.
func (r *ReferenceRefresher) Run(ctx context.Context) {
	every(ctx, config.ReferenceRefresh, func(ctx context.Context) {
		doc, err := r.Fetch(ctx)
		if err != nil {
			r.Log.Warn("reference ranges fetch failed", "err", err)
			return
		}
		if err := r.Store.Put(ctx, "reference-ranges:current", doc, kvstore.PutOptions{TTL: config.ReferenceTTL}); err != nil {
			r.Log.Warn("reference ranges write failed", "err", err)
		}
	})
}

// Reindex rebuilds the per-patient result index from the result keys'
// metadata. Run by hand after a restore.
func Reindex(ctx context.Context, st kvstore.Store) (int, error) {
	l, ok := st.(kvstore.Lister)
	if !ok {
		return 0, nil
	}
	byPatient := map[string][]string{}
	opts := kvstore.ListOptions{Prefix: "result:", Limit: config.ListPageSize}
	for {
		r := l.List(ctx, opts) // EXPECT kvlist
		if r.Err != nil {
			return 0, r.Err
		}
		for _, k := range r.Val.Keys {
			m, _ := k.Metadata.(map[string]any)
			p, _ := m["patient"].(string)
			if p != "" {
				byPatient[p] = append(byPatient[p], k.Name)
			}
		}
		if r.Val.Complete {
			break
		}
		opts.Cursor = r.Val.Cursor
	}
	entries := make([]kvstore.Entry, 0, len(byPatient))
	for p, keys := range byPatient {
		raw, _ := json.Marshal(keys)
		entries = append(entries, kvstore.Entry{Key: "pindex:" + p, Value: raw})
	}
	return len(entries), kvstore.WriteAll(ctx, st, entries)
}

// PurgeClinic deletes every key of an offboarded clinic.
func PurgeClinic(ctx context.Context, st kvstore.Store, clinicID string) (int, error) {
	l, ok := st.(kvstore.Lister)
	if !ok {
		return 0, nil
	}
	deleted := 0
	cursor := ""
	for {
		r := l.List(ctx, kvstore.ListOptions{Prefix: "result:" + clinicID + ":", Cursor: cursor}) // EXPECT kvlist
		if r.Err != nil {
			return deleted, r.Err
		}
		if len(r.Val.Keys) == 0 {
			break
		}
		for _, k := range r.Val.Keys {
			if err := st.Delete(ctx, k.Name); err != nil {
				return deleted, err
			}
			deleted++
		}
		cursor = r.Val.Cursor
	}
	return deleted, nil
}
