// Package tracing is a deliberately small span recorder used around store
// calls. Spans are written to the log sink as one line each; metrics are kept
// in process and flushed by the host.
package tracing

import (
	"context"
	"fmt"
	"log"
	"strings"
	"sync"
	"time"
)

// Attr is a single span attribute.
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

// Start opens a span named name. The returned function closes it and records
// the error the caller ends with, if any.
func Start(ctx context.Context, name string, attrs ...Attr) (context.Context, func(*error)) {
	parent, _ := ctx.Value(spanKey{}).(*span)
	s := &span{name: name, parent: parent, start: time.Now(), attrs: attrs}
	ctx = context.WithValue(ctx, spanKey{}, s)
	return ctx, func(errp *error) {
		var err error
		if errp != nil {
			err = *errp
		}
		elapsed := time.Since(s.start)
		Observe(name, elapsed, err)
		if Sink != nil {
			Sink(s.line(elapsed, err))
		}
	}
}

func (s *span) line(elapsed time.Duration, err error) string {
	var b strings.Builder
	fmt.Fprintf(&b, "span=%s dur=%s", s.name, elapsed)
	if s.parent != nil {
		fmt.Fprintf(&b, " parent=%s", s.parent.name)
	}
	for _, a := range s.attrs {
		fmt.Fprintf(&b, " %s=%q", a.Key, a.Value)
	}
	if err != nil {
		fmt.Fprintf(&b, " err=%q", err.Error())
	}
	return b.String()
}

// Sink receives finished span lines. Hosts may replace it.
var Sink = func(line string) { log.Print(line) }

// OpStats are per-operation counters kept in process memory.
type OpStats struct {
	Calls  int64
	Errors int64
	Total  time.Duration
}

var (
	mu    sync.Mutex
	stats = map[string]*OpStats{}
)

// Observe records one call of op.
func Observe(op string, d time.Duration, err error) {
	mu.Lock()
	defer mu.Unlock()
	st, ok := stats[op]
	if !ok {
		st = &OpStats{}
		stats[op] = st
	}
	st.Calls++
	st.Total += d
	if err != nil {
		st.Errors++
	}
}

// Snapshot copies the current metrics.
func Snapshot() map[string]OpStats {
	mu.Lock()
	defer mu.Unlock()
	out := make(map[string]OpStats, len(stats))
	for k, v := range stats {
		out[k] = *v
	}
	return out
}
