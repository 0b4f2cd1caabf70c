// Package analytics records episode downloads and publishes the aggregates
// creators see on their dashboards.
package analytics

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"example.com/marlin/internal/catalog"
	"example.com/marlin/internal/clock"
	"example.com/marlin/internal/kv"
)

// Download is one recorded fetch of an episode's audio.
type Download struct {
	EpisodeID string
	ShowID    string
	IP        string
	UserAgent string
	At        time.Time
}

// Recorder buffers download counts in memory and flushes them to KV.
type Recorder struct {
	store   kv.Store
	clock   clock.Clock
	pending sync.Map // episode id -> *atomic.Int64
	seenTTL time.Duration
}

// NewRecorder returns a Recorder writing to store.
func NewRecorder(store kv.Store, c clock.Clock) *Recorder {
	return &Recorder{store: store, clock: c, seenTTL: 24 * time.Hour}
}

func (r *Recorder) counter(id string) *atomic.Int64 {
	if v, ok := r.pending.Load(id); ok {
		return v.(*atomic.Int64)
	}
	v, _ := r.pending.LoadOrStore(id, new(atomic.Int64))
	return v.(*atomic.Int64)
}

// Record notes a download in memory. It does not touch KV.
func (r *Recorder) Record(d Download) {
	r.counter(d.EpisodeID).Add(1)
}

// MarkListener remembers that a listener fetched an episode today, so that
// unique-listener estimates can be computed by the nightly job. Each
// listener gets its own key.
func (r *Recorder) MarkListener(ctx context.Context, d Download) error {
	sum := sha256.Sum256([]byte(d.IP + "|" + d.UserAgent))
	day := d.At.Format("20060102")
	key := "listener:" + d.EpisodeID + ":" + day + ":" + hex.EncodeToString(sum[:8])
	return r.store.Put(ctx, key, []byte{'1'}, kv.PutOptions{TTL: r.seenTTL})
}

// Flush adds the buffered counts to the stored totals.
func (r *Recorder) Flush(ctx context.Context) error {
	var firstErr error
	r.pending.Range(func(k, v any) bool {
		id := k.(string)
		n := v.(*atomic.Int64).Swap(0)
		if n == 0 {
			return true
		}
		key := "plays:" + id
		var prev int64
		b, err := r.store.Get(ctx, key)
		switch {
		case err == nil:
			prev, _ = strconv.ParseInt(string(b), 10, 64)
		case !kv.IsNotFound(err):
			firstErr = err
			return false
		}
		if err := r.store.Put(ctx, key, []byte(strconv.FormatInt(prev+n, 10)), kv.PutOptions{}); err != nil { // EXPECT kvcounter
			firstErr = err
			return false
		}
		return true
	})
	return firstErr
}

// Counter is the synchronous per-request counter used by the public
// download redirect when the buffered recorder is disabled.
type Counter struct {
	store kv.Store
}

// NewCounter returns a Counter.
func NewCounter(store kv.Store) *Counter { return &Counter{store: store} }

// Increment adds one to an episode's download count and returns the new
// value.
func (c *Counter) Increment(ctx context.Context, episodeID string) (int, error) {
	key := "downloads:" + episodeID
	n := 0
	b, err := c.store.Get(ctx, key)
	if err == nil {
		if n, err = strconv.Atoi(string(b)); err != nil {
			return 0, fmt.Errorf("corrupt count at %s: %w", key, err)
		}
	} else if !kv.IsNotFound(err) {
		return 0, err
	}
	n++
	return n, c.store.Put(ctx, key, []byte(strconv.Itoa(n)), kv.PutOptions{}) // EXPECT kvcounter
}

// Summary is the daily per-show aggregate shown on dashboards.
type Summary struct {
	Day       string           `json:"day"`
	Episodes  map[string]int64 `json:"episodes"`
	Generated time.Time        `json:"generated"`
}

// Summarizer publishes daily aggregates computed by the warehouse. It runs
// once per scheduler tick and writes one key per day.
type Summarizer struct {
	store   kv.Store
	catalog catalog.Catalog
	clock   clock.Clock
}

// NewSummarizer returns a Summarizer.
func NewSummarizer(store kv.Store, cat catalog.Catalog, c clock.Clock) *Summarizer {
	return &Summarizer{store: store, catalog: cat, clock: c}
}

// Publish writes yesterday's totals. The numbers come from the warehouse,
// which is the source of truth; KV only holds a copy for the dashboard.
func (s *Summarizer) Publish(ctx context.Context) error {
	day := s.clock.Now().AddDate(0, 0, -1)
	totals, err := s.catalog.DownloadTotals(ctx, day)
	if err != nil {
		return err
	}
	b, err := json.Marshal(Summary{Day: day.Format(time.DateOnly), Episodes: totals, Generated: s.clock.Now()})
	if err != nil {
		return err
	}
	return s.store.Put(ctx, "summary:daily:"+day.Format(time.DateOnly), b, kv.PutOptions{TTL: 90 * 24 * time.Hour})
}

// Trend is the momentum score computed by the nightly ranking job.
type Trend struct {
	Score    float64 `json:"score"`
	Rank     int     `json:"rank"`
	Previous int     `json:"previous"`
}

// TrendFor returns the current trend of a show for the dashboard header.
func (s *Summarizer) TrendFor(ctx context.Context, showID string) (Trend, string, error) {
	raw, _ := s.store.Get(ctx, "trend:"+showID) // EXPECT kvnull
	var t Trend
	_ = json.Unmarshal(raw, &t)
	arrow := "→"
	switch {
	case t.Rank < t.Previous:
		arrow = "↑"
	case t.Rank > t.Previous:
		arrow = "↓"
	}
	return t, arrow, nil
}
