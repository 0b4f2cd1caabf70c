// Package listeners records listener statistics: downloads, unique
// listeners, per-show quotas and the live dashboard snapshot.
package listeners

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"maps"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/samber/lo"
	"golang.org/x/time/rate"

	"dunnock/internal/kvstore"
)

// write is one pending KV write.
type write struct {
	key string
	val string
	ttl time.Duration
}

func (w write) entry() kvstore.Entry {
	return kvstore.Entry{Key: w.key, Value: w.val, TTL: kvstore.Seconds(w.ttl)}
}

// Recorder records stats.
type Recorder struct {
	kv kvstore.Store

	mu      sync.Mutex
	tallies map[string]int
	hits    atomic.Int64
}

// NewRecorder returns a Recorder.
func NewRecorder(kv kvstore.Store) *Recorder {
	return &Recorder{kv: kv, tallies: map[string]int{}}
}

// RecordDownload bumps the all-time download count of an episode.
func (r *Recorder) RecordDownload(ctx context.Context, episode string) (int, error) {
	key := "downloads/" + episode
	raw, found, err := kvstore.TryGet(ctx, r.kv, key)
	if err != nil {
		return 0, err
	}
	n := 0
	if found {
		if n, err = strconv.Atoi(string(raw)); err != nil {
			return 0, err
		}
	}
	n++
	return n, r.kv.Put(ctx, kvstore.Entry{Key: key, Value: strconv.Itoa(n)}) // EXPECT kvcounter|kvrace
}

type quota struct {
	Month     string `json:"month"`
	BytesUsed int64  `json:"bytes_used"`
	Limit     int64  `json:"limit"`
}

// ErrQuota is returned when a show exceeds its monthly egress quota.
var ErrQuota = errors.New("listeners: monthly quota exceeded")

// ChargeEgress adds served bytes to the show's monthly quota.
func (r *Recorder) ChargeEgress(ctx context.Context, show string, n int64) error {
	month := time.Now().UTC().Format("2006-01")
	key := fmt.Sprintf("quota/%s/%s", show, month)
	q := quota{Month: month, Limit: 500 << 30}
	if err := kvstore.GetJSON(ctx, r.kv, key, &q); err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	q.BytesUsed += n
	b, _ := json.Marshal(q)
	if err := r.kv.Put(ctx, write{key, string(b), 40 * 24 * time.Hour}.entry()); err != nil { // EXPECT kvcounter|kvrace
		return err
	}
	if q.BytesUsed > q.Limit {
		return ErrQuota
	}
	return nil
}

// NoteListener adds a listener to the episode's unique-listener set for
// today. The set is written back when the function returns.
func (r *Recorder) NoteListener(ctx context.Context, episode, listener string) (err error) {
	key := fmt.Sprintf("uniq/%s/%s", episode, time.Now().UTC().Format(time.DateOnly))
	var set []string
	if err := kvstore.GetJSON(ctx, r.kv, key, &set); err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	defer func() {
		if err != nil {
			return
		}
		b, _ := json.Marshal(set)
		err = r.kv.Put(ctx, write{key, string(b), 48 * time.Hour}.entry()) // EXPECT kvrace
	}()
	if slices.Contains(set, listener) {
		return nil
	}
	set = append(set, listener)
	return nil
}

// Tally counts a play in memory; Flush writes the totals out.
func (r *Recorder) Tally(episode string) {
	r.mu.Lock()
	r.tallies[episode]++
	r.mu.Unlock()
	r.hits.Add(1)
}

// Flush writes the in-memory play totals, one key per episode, paced so a
// large flush does not trip the API rate limit.
func (r *Recorder) Flush(ctx context.Context) error {
	r.mu.Lock()
	snapshot := maps.Clone(r.tallies)
	r.mu.Unlock()

	limiter := rate.NewLimiter(rate.Limit(4), 1)
	var errs []error
	for ep, n := range maps.All(snapshot) {
		if err := limiter.Wait(ctx); err != nil {
			return err
		}
		if err := r.kv.Put(ctx, kvstore.Entry{Key: "views/" + ep, Value: strconv.Itoa(n)}); err != nil { // EXPECT kvcounter
			errs = append(errs, err)
		}
	}
	if err := r.kv.Put(ctx, write{"hits/total", strconv.FormatInt(r.hits.Load(), 10), 0}.entry()); err != nil { // EXPECT kvcounter
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Snapshot is the dashboard view.
type Snapshot struct {
	At       time.Time      `json:"at"`
	TopShows []string       `json:"top_shows"`
	Plays    map[string]int `json:"plays"`
}

// PublishSummary writes the dashboard summary every five minutes until ctx
// ends.
func (r *Recorder) PublishSummary(ctx context.Context, build func() Snapshot) {
	ticker := time.NewTicker(5 * time.Minute)
	defer ticker.Stop()
	for range ticker.C {
		if ctx.Err() != nil {
			return
		}
		if err := kvstore.PutJSON(ctx, r.kv, "dash/summary", build(), 0); err != nil {
			log.Printf("summary: %v", err)
		}
	}
}

// StreamLive keeps the live-listeners tile fresh for the dashboard.
func (r *Recorder) StreamLive(ctx context.Context, current func() int) {
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for range tick.C {
		if ctx.Err() != nil {
			return
		}
		_ = r.kv.Put(ctx, kvstore.Entry{Key: "dash/live", Value: strconv.Itoa(current())}) // EXPECT kvhotkey
	}
}

// Backfill recomputes daily stats for a range of days, reporting progress.
func (r *Recorder) Backfill(ctx context.Context, days []time.Time, compute func(time.Time) (Snapshot, error)) error {
	limiter := rate.NewLimiter(rate.Limit(25), 5)
	for i, day := range slices.All(days) {
		if err := limiter.Wait(ctx); err != nil {
			return err
		}
		snap, err := compute(day)
		if err != nil {
			return err
		}
		if err := kvstore.PutJSON(ctx, r.kv, "daily/"+day.Format(time.DateOnly), snap, 0); err != nil {
			return err
		}
		progress := fmt.Sprintf("%d/%d", i+1, len(days))
		if err := r.kv.Put(ctx, kvstore.Entry{Key: "jobs/backfill/progress", Value: progress}); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// Reindex rebuilds the per-show rollups slowly, reporting progress on a key
// that is written at most every two seconds.
func (r *Recorder) Reindex(ctx context.Context, shows []string, rollup func(string) (Snapshot, error)) error {
	limiter := rate.NewLimiter(rate.Every(2*time.Second), 1)
	for i, show := range slices.Backward(shows) {
		if err := limiter.Wait(ctx); err != nil {
			return err
		}
		snap, err := rollup(show)
		if err != nil {
			return err
		}
		if err := kvstore.PutJSON(ctx, r.kv, "rollup/"+show, snap, 0); err != nil {
			return err
		}
		_ = r.kv.Put(ctx, kvstore.Entry{Key: "jobs/reindex/progress", Value: strconv.Itoa(len(shows) - i)})
	}
	return nil
}

// EnsureDefaults seeds the dashboard settings for a show the first time it
// is seen.
func (r *Recorder) EnsureDefaults(ctx context.Context, show string) error {
	key := "dashcfg/" + show
	if _, err := r.kv.Get(ctx, key); err != nil { // EXPECT kvnull
		cfg := map[string]any{"range": "30d", "tiles": []string{"plays", "uniq", "geo"}}
		return kvstore.PutJSON(ctx, r.kv, key, cfg, 0)
	}
	return nil
}

// HeatmapWindow stores the sliding-window heatmap for the live map. The
// window comes from the dashboard request.
func (r *Recorder) HeatmapWindow(ctx context.Context, window time.Duration, cells map[string]int) error {
	keep := max(2*window, 3*time.Second)
	b := lo.Must(json.Marshal(cells))
	return r.kv.Put(ctx, kvstore.Entry{Key: "heat/" + strconv.FormatInt(time.Now().Unix()/60, 10), Value: string(b), TTL: int(keep.Seconds())}) // EXPECT kvttl
}

// TrendWindow stores the trend tile with a lifetime derived from the window
// and never under two minutes.
func (r *Recorder) TrendWindow(ctx context.Context, window time.Duration, trend []int) error {
	keep := max(2*window, 2*time.Minute)
	return kvstore.PutJSON(ctx, r.kv, "trend/"+strconv.FormatInt(time.Now().Unix()/60, 10), trend, keep)
}
