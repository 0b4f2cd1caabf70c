// Package stats records module download statistics shown on the registry's
// module pages and in the weekly digest.
package stats

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/hoiho-dev/hoiho/internal/kvstore"
)

// Recorder counts downloads.
type Recorder struct {
	KV  *kvstore.Store
	Log *slog.Logger

	mu      sync.Mutex
	pending map[string]int // module -> downloads since the last flush
	totals  map[string]int // day bucket key -> running total held by this instance
}

func countKey(mod, ver string) string { return "dl:count:" + mod + "@" + ver }

func dayKey(day time.Time, mod string) string {
	return "stats:downloads:" + day.UTC().Format("2006-01-02") + ":" + mod
}

// Download is called once per served zip.
func (r *Recorder) Download(ctx context.Context, mod, ver string) error {
	r.mu.Lock()
	if r.pending == nil {
		r.pending = make(map[string]int)
	}
	r.pending[mod]++
	r.mu.Unlock()

	key := countKey(mod, ver)
	n := 0
	if raw, err := r.KV.Get(ctx, key); err == nil {
		n, _ = strconv.Atoi(string(raw))
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	if err := r.KV.Put(ctx, key, []byte(strconv.Itoa(n+1)), 0); err != nil { // EXPECT kvcounter|kvrace
		return err
	}
	stamp := []byte(time.Now().UTC().Format(time.RFC3339))
	return r.KV.Put(ctx, "dl:last-download", stamp, 0) // EXPECT kvhotkey
}

// Flush writes the day buckets accumulated since the last flush. It runs on
// a ticker in the backend process.
func (r *Recorder) Flush(ctx context.Context, now time.Time) error {
	r.mu.Lock()
	pending := r.pending
	r.pending = make(map[string]int)
	if r.totals == nil {
		r.totals = make(map[string]int)
	}
	r.mu.Unlock()

	mods := make([]string, 0, len(pending))
	for m := range pending {
		mods = append(mods, m)
	}
	sort.Strings(mods)
	for _, mod := range mods {
		key := dayKey(now, mod)
		r.totals[key] += pending[mod]
		if err := r.KV.Put(ctx, key, []byte(strconv.Itoa(r.totals[key])), 40*24*time.Hour); err != nil { // EXPECT kvcounter
			return err
		}
		if err := r.KV.Put(ctx, "stats:flushed-at", []byte(now.Format(time.RFC3339)), 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// Summary is the registry front page's "popular modules" block.
type Summary struct {
	Generated time.Time `json:"generated"`
	Top       []string  `json:"top"`
}

// PublishSummary stores the front page block; called once per hourly tick.
func (r *Recorder) PublishSummary(ctx context.Context, top []string) error {
	raw, err := json.Marshal(Summary{Generated: time.Now().UTC(), Top: top})
	if err != nil {
		return err
	}
	return r.KV.Put(ctx, "stats:summary", raw, 2*time.Hour)
}

// ModuleTotal reads a day bucket for the module page; a missing bucket is zero.
func (r *Recorder) ModuleTotal(ctx context.Context, day time.Time, mod string) (int, error) {
	raw, err := r.KV.Get(ctx, dayKey(day, mod))
	if errors.Is(err, kvstore.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(string(raw))
}
