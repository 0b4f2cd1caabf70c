// Package metrics aggregates request metrics in the isolate and writes them
// to KV for the ops dashboard.
package metrics

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"example.com/orchard/internal/codec"
	"example.com/orchard/internal/store"
)

// Aggregator is safe for concurrent use.
type Aggregator struct {
	st  store.Store
	log *slog.Logger

	mu   sync.Mutex
	hits map[string]int64

	requests atomic.Int64
	started  time.Time
}

// New returns an empty Aggregator.
func New(st store.Store, log *slog.Logger) *Aggregator {
	return &Aggregator{st: st, log: log, hits: map[string]int64{}, started: time.Now()}
}

// Hit counts one request to a route.
func (a *Aggregator) Hit(route string) {
	a.requests.Add(1)
	a.mu.Lock()
	a.hits[route]++
	a.mu.Unlock()
}

// Snapshot is the isolate's view at flush time.
type Snapshot struct {
	Since    time.Time
	Until    time.Time
	Requests int64
	Routes   map[string]int64
}

func (a *Aggregator) take() Snapshot {
	a.mu.Lock()
	routes := maps.Clone(a.hits)
	clear(a.hits)
	a.mu.Unlock()
	now := time.Now()
	s := Snapshot{
		Since:    a.started,
		Until:    now,
		Requests: a.requests.Swap(0),
		Routes:   routes,
	}
	a.started = now
	return s
}

// Flush adds the isolate's route hits to the stored totals and writes the
// raw snapshot for the dashboard's timeline.
func (a *Aggregator) Flush(ctx context.Context) error {
	snap := a.take()
	if snap.Requests == 0 {
		return nil
	}
	var errs []error
	for route, delta := range snap.Routes {
		key := "hits:route:" + route
		var prev int64
		v, err := a.st.Get(ctx, key)
		switch {
		case store.IsNotFound(err):
		case err != nil:
			errs = append(errs, err)
			continue
		default:
			prev, _ = strconv.ParseInt(v, 10, 64)
		}
		if err := a.st.Put(ctx, key, strconv.FormatInt(prev+delta, 10)); err != nil { // EXPECT kvcounter
			errs = append(errs, err)
			continue
		}
		if err := a.st.Put(ctx, "metrics:flushed-at", snap.Until.UTC().Format(time.RFC3339Nano)); err != nil { // EXPECT kvhotkey
			errs = append(errs, err)
		}
	}
	enc, err := codec.Gob(snap)
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	key := "metrics:snap:" + snap.Until.UTC().Format("20060102T150405") + ":" + codec.Token(4)
	if err := a.st.Put(ctx, key, enc, store.WithTTL(7*24*time.Hour)); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
