package kvbase

import (
	"log/slog"
	"sync"
	"time"
)

// Recorder keeps per-operation latency totals. It is cheap enough to call
// around every KV operation.
type Recorder struct {
	mu    sync.Mutex
	count map[string]int
	total map[string]time.Duration
	slow  time.Duration
}

// NewRecorder returns a Recorder that logs operations slower than slow.
func NewRecorder(slow time.Duration) *Recorder {
	return &Recorder{count: map[string]int{}, total: map[string]time.Duration{}, slow: slow}
}

// Observe records one operation that started at start.
func (r *Recorder) Observe(scope, op string, start time.Time) {
	if r == nil {
		return
	}
	d := time.Since(start)
	name := scope + "." + op
	r.mu.Lock()
	r.count[name]++
	r.total[name] += d
	r.mu.Unlock()
	if r.slow > 0 && d > r.slow {
		slog.Warn("slow kv op", "op", name, "took", d)
	}
}
