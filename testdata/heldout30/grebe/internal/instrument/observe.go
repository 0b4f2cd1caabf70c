// Package instrument has the instrumentation the services share: timing
// storage calls, a tracing decorator for the storage port and in-process
// counters.
package instrument

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Recorder receives one sample per observed call.
type Recorder interface {
	Record(ctx context.Context, op string, d time.Duration, err error)
}

// Log writes slow or failed calls to slog.
func Log(l *slog.Logger, slow time.Duration) Recorder { return logRecorder{l, slow} }

type logRecorder struct {
	l    *slog.Logger
	slow time.Duration
}

func (r logRecorder) Record(ctx context.Context, op string, d time.Duration, err error) {
	if err != nil {
		r.l.WarnContext(ctx, "storage call failed", "op", op, "dur", d, "err", err)
	} else if d > r.slow {
		r.l.InfoContext(ctx, "slow storage call", "op", op, "dur", d)
	}
}

// Observe runs fn and reports its duration and error to r.
func Observe(ctx context.Context, r Recorder, op string, fn func(ctx context.Context) error) error {
	start := time.Now()
	err := fn(ctx)
	if r != nil {
		r.Record(ctx, op, time.Since(start), err)
	}
	return err
}

// Counters is an isolate-local set of named counters, flushed elsewhere.
type Counters struct {
	mu sync.Mutex
	m  map[string]int64
}

// Add increments name by n.
func (c *Counters) Add(name string, n int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = make(map[string]int64)
	}
	c.m[name] += n
}

// Drain returns and resets all counters.
func (c *Counters) Drain() map[string]int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.m
	c.m = nil
	return out
}
