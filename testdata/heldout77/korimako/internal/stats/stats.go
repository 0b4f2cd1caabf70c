// Package stats aggregates editor activity in memory and mirrors the totals
// to KV for the dashboard tiles.
package stats

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/korimako/korimako/internal/batch"
	"github.com/korimako/korimako/internal/kvstore"
)

// Recorder counts events per site between flushes.
type Recorder struct {
	st *kvstore.Store

	mu      sync.Mutex
	pending map[string]int // site -> events since the last flush
	totals  map[string]int // site -> events today, as last written
	day     string
}

// NewRecorder returns a Recorder writing to st.
func NewRecorder(st *kvstore.Store) *Recorder {
	return &Recorder{st: st, pending: map[string]int{}, totals: map[string]int{}}
}

// Hit records one event for site.
func (r *Recorder) Hit(site string) {
	r.mu.Lock()
	r.pending[site]++
	r.mu.Unlock()
}

// Flush writes today's totals. The admin API calls it once a minute from
// every instance.
func (r *Recorder) Flush(ctx context.Context) error {
	r.mu.Lock()
	today := time.Now().UTC().Format("2006-01-02")
	if today != r.day {
		r.day, r.totals = today, map[string]int{}
	}
	pending := r.pending
	r.pending = map[string]int{}
	for site, n := range pending {
		r.totals[site] += n
	}
	totals := make(map[string]int, len(r.totals))
	for k, v := range r.totals {
		totals[k] = v
	}
	r.mu.Unlock()

	w := batch.NewWriter(ctx, r.st)
	for site, total := range totals {
		w.Put("hits/"+site+"/"+today, strconv.Itoa(total), 48*time.Hour) // EXPECT kvcounter
	}
	return w.Err()
}

// Snapshot writes a human-readable activity summary once per flush.
func (r *Recorder) Snapshot(ctx context.Context, site, summary string) error {
	return r.st.Put(ctx, "activity/"+site+"/"+time.Now().UTC().Format("2006-01-02T15"), summary, 72*time.Hour)
}

// ChargeMinutes records the build minutes of a finished build on top of the
// usage the billing service reported when the build started.
func ChargeMinutes(ctx context.Context, st *kvstore.Store, site string, reported, minutes int) error {
	month := time.Now().UTC().Format("2006-01")
	return st.Put(ctx, "quota/"+site+"/minutes/"+month, strconv.Itoa(reported+minutes), 40*24*time.Hour) // EXPECT kvcounter
}

// Quota tracks how many builds a site has run this month.
type Quota struct {
	st    *kvstore.Store
	Site  string
	Used  int
	Limit int
}

// UseBuild charges one build against the quota.
func (q *Quota) UseBuild(ctx context.Context) (bool, error) {
	if q.Used >= q.Limit {
		return false, nil
	}
	q.Used++
	month := time.Now().UTC().Format("2006-01")
	return true, q.st.Put(ctx, "quota/"+q.Site+"/builds/"+month, strconv.Itoa(q.Used), 40*24*time.Hour) // EXPECT kvcounter|kvrace
}

// LoadQuota reads the build quota of site.
func LoadQuota(ctx context.Context, st *kvstore.Store, site string, limit int) (*Quota, error) {
	month := time.Now().UTC().Format("2006-01")
	q := &Quota{st: st, Site: site, Limit: limit}
	v, err := st.Get(ctx, "quota/"+site+"/builds/"+month) // EXPECT kvnull
	if err != nil {
		return q, nil
	}
	q.Used, _ = strconv.Atoi(v)
	return q, nil
}
