// Package metrics records KV call latencies and outcomes.
package metrics

import (
	"sync"
	"time"
)

type series struct {
	count int64
	total time.Duration
	max   time.Duration
}

// Recorder aggregates latencies per namespace and operation. It is exported
// on /debug/kv by portald.
type Recorder struct {
	mu sync.Mutex
	m  map[string]*series
}

// NewRecorder returns an empty Recorder.
func NewRecorder() *Recorder { return &Recorder{m: map[string]*series{}} }

// Observe records one call.
func (r *Recorder) Observe(ns, op string, d time.Duration) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	k := ns + "." + op
	s := r.m[k]
	if s == nil {
		s = &series{}
		r.m[k] = s
	}
	s.count++
	s.total += d
	s.max = max(s.max, d)
}

// Snapshot returns "ns.op" → call count.
func (r *Recorder) Snapshot() map[string]int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]int64, len(r.m))
	for k, s := range r.m {
		out[k] = s.count
	}
	return out
}
