// Package metrics is a tiny in-isolate metrics registry exposed at /metrics.
package metrics

import (
	"fmt"
	"net/http"
	"sort"
	"sync"
	"time"
)

type series struct {
	count  int64
	errors int64
	total  time.Duration
}

// Registry collects storage and request timings for this isolate.
type Registry struct {
	mu     sync.Mutex
	series map[string]*series
}

func NewRegistry() *Registry { return &Registry{series: map[string]*series{}} }

// Observe implements kvmetrics.Recorder.
func (r *Registry) Observe(op string, took time.Duration, failed bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s, ok := r.series[op]
	if !ok {
		s = &series{}
		r.series[op] = s
	}
	s.count++
	s.total += took
	if failed {
		s.errors++
	}
}

// ServeHTTP writes the series in a Prometheus-ish text format.
func (r *Registry) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	r.mu.Lock()
	names := make([]string, 0, len(r.series))
	for n := range r.series {
		names = append(names, n)
	}
	sort.Strings(names)
	w.Header().Set("Content-Type", "text/plain; version=0.0.4")
	for _, n := range names {
		s := r.series[n]
		fmt.Fprintf(w, "authgw_op_total{op=%q} %d\n", n, s.count)
		fmt.Fprintf(w, "authgw_op_errors_total{op=%q} %d\n", n, s.errors)
		fmt.Fprintf(w, "authgw_op_seconds_sum{op=%q} %f\n", n, s.total.Seconds())
	}
	r.mu.Unlock()
}
