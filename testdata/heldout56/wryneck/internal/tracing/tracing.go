// Package tracing is a deliberately small tracer used around storage calls.
// Spans are written to the process logger and aggregated into per-operation
// metrics that the /debug/vars handler exposes.
package tracing

import (
	"context"
	"fmt"
	"log"
	"strings"
	"sync"
	"time"
)

// Attr is a key/value pair attached to a span.
type Attr struct {
	Key   string
	Value string
}

// Str builds a string attribute.
func Str(k, v string) Attr { return Attr{Key: k, Value: v} }

// Int builds an integer attribute.
func Int(k string, v int) Attr { return Attr{Key: k, Value: fmt.Sprint(v)} }

type spanKey struct{}

type span struct {
	name   string
	parent *span
	start  time.Time
	attrs  []Attr
}

// Start opens a span named op. The returned function closes it; pass it the
// address of the caller's error so failures are recorded.
func Start(ctx context.Context, op string, attrs ...Attr) (context.Context, func(*error)) {
	parent, _ := ctx.Value(spanKey{}).(*span)
	s := &span{name: op, parent: parent, start: time.Now(), attrs: attrs}
	ctx = context.WithValue(ctx, spanKey{}, s)
	return ctx, func(errp *error) {
		var err error
		if errp != nil {
			err = *errp
		}
		d := time.Since(s.start)
		Default.Observe(op, d, err)
		if Verbose {
			log.Printf("span %s %s dur=%s err=%v", s.path(), s.fmtAttrs(), d, err)
		}
	}
}

// Verbose turns on per-span logging.
var Verbose = false

func (s *span) path() string {
	var parts []string
	for p := s; p != nil; p = p.parent {
		parts = append(parts, p.name)
	}
	for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
		parts[i], parts[j] = parts[j], parts[i]
	}
	return strings.Join(parts, ">")
}

func (s *span) fmtAttrs() string {
	var b strings.Builder
	for i, a := range s.attrs {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s=%q", a.Key, a.Value)
	}
	return b.String()
}

// OpStats is the aggregate for one operation name.
type OpStats struct {
	Calls  int64
	Errors int64
	Total  time.Duration
	Max    time.Duration
}

// Metrics aggregates span outcomes per operation.
type Metrics struct {
	mu  sync.Mutex
	ops map[string]*OpStats
}

// Default is the process-wide metrics sink.
var Default = &Metrics{ops: map[string]*OpStats{}}

// Observe records one call.
func (m *Metrics) Observe(op string, d time.Duration, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	st := m.ops[op]
	if st == nil {
		st = &OpStats{}
		m.ops[op] = st
	}
	st.Calls++
	st.Total += d
	st.Max = max(st.Max, d)
	if err != nil {
		st.Errors++
	}
}

// Snapshot copies the current aggregates.
func (m *Metrics) Snapshot() map[string]OpStats {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string]OpStats, len(m.ops))
	for k, v := range m.ops {
		out[k] = *v
	}
	return out
}
