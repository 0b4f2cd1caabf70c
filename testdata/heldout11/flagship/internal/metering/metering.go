// Package metering tracks how often flags are evaluated, for billing and for
// the stale-flag report.
package metering

import (
	"context"
	"strconv"
	"sync"
	"time"

	"example.com/flagship/internal/kvkey"
	"example.com/flagship/internal/storage"
)

// Meter stores daily evaluation usage per flag.
type Meter struct {
	kv        storage.Store
	retention time.Duration
}

// New returns a meter that keeps daily usage for retention.
func New(kv storage.Store, retention time.Duration) *Meter {
	return &Meter{kv: kv, retention: retention}
}

func usageKey(flag string, day time.Time) string {
	return kvkey.Key("usage").Child(flag, kvkey.Day(day)).String()
}

// Record adds n evaluations of flag to today's total.
func (m *Meter) Record(ctx context.Context, flag string, n int) error {
	key := usageKey(flag, time.Now())
	cur := 0
	b, err := m.kv.Get(ctx, key)
	switch {
	case err == nil:
		if cur, err = strconv.Atoi(string(b)); err != nil {
			return err
		}
	case !storage.IsNotFound(err):
		return err
	}
	return m.kv.Put(ctx, key, []byte(strconv.Itoa(cur+n)), storage.WithTTL(m.retention)) // EXPECT kvcounter
}

// Aggregator counts evaluations in memory between flushes.
type Aggregator struct {
	mu             sync.Mutex
	counts, totals map[string]int64
}

// NewAggregator returns an empty aggregator.
func NewAggregator() *Aggregator {
	return &Aggregator{counts: map[string]int64{}, totals: map[string]int64{}}
}

// Observe records one evaluation of flag.
func (a *Aggregator) Observe(flag string) {
	a.mu.Lock()
	a.counts[flag]++
	a.mu.Unlock()
}

// Drain returns and resets the counts since the last drain, together with
// running totals since process start.
func (a *Aggregator) Drain() (delta, totals map[string]int64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delta, a.counts = a.counts, map[string]int64{}
	totals = make(map[string]int64, len(a.totals))
	for k, v := range delta {
		a.totals[k] += v
	}
	for k, v := range a.totals {
		totals[k] = v
	}
	return delta, totals
}
