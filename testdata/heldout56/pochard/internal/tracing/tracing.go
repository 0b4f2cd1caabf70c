// Package tracing is a deliberately small tracer used around store calls.
// Spans are logged at debug level and folded into per-operation metrics.
package tracing

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// Attr is a span attribute.
type Attr struct {
	Key   string
	Value any
}

// Str makes a string attribute.
func Str(k, v string) Attr { return Attr{Key: k, Value: v} }

// Int makes an integer attribute.
func Int(k string, v int) Attr { return Attr{Key: k, Value: v} }

type spanKey struct{}

// Span is an in-flight operation.
type Span struct {
	Name    string
	TraceID string
	Attrs   []Attr
	Start   time.Time
}

// FromContext returns the innermost span, if any.
func FromContext(ctx context.Context) (*Span, bool) {
	s, ok := ctx.Value(spanKey{}).(*Span)
	return s, ok
}

// Start opens a span. The returned function closes it and records the
// error pointed to by errp, if any.
func Start(ctx context.Context, name string, attrs ...Attr) (context.Context, func(errp *error)) {
	traceID := ""
	if parent, ok := FromContext(ctx); ok {
		traceID = parent.TraceID
	} else {
		var b [8]byte
		_, _ = rand.Read(b[:])
		traceID = hex.EncodeToString(b[:])
	}
	span := &Span{Name: name, TraceID: traceID, Attrs: attrs, Start: time.Now()}
	ctx = context.WithValue(ctx, spanKey{}, span)
	return ctx, func(errp *error) {
		var err error
		if errp != nil {
			err = *errp
		}
		d := time.Since(span.Start)
		observe(name, d, err)
		args := []any{"trace", traceID, "op", name, "dur", d}
		for _, a := range attrs {
			args = append(args, a.Key, a.Value)
		}
		if err != nil {
			args = append(args, "err", err)
		}
		slog.Debug("span", args...)
	}
}

type opStats struct {
	calls  atomic.Int64
	errors atomic.Int64
	nanos  atomic.Int64
}

var ops sync.Map // name -> *opStats

func observe(name string, d time.Duration, err error) {
	v, _ := ops.LoadOrStore(name, new(opStats))
	st := v.(*opStats)
	st.calls.Add(1)
	st.nanos.Add(int64(d))
	if err != nil {
		st.errors.Add(1)
	}
}

// Stats is a point-in-time view of one operation's metrics.
type Stats struct {
	Op     string
	Calls  int64
	Errors int64
	Mean   time.Duration
}

// Snapshot returns metrics for every operation seen so far.
func Snapshot() []Stats {
	var out []Stats
	ops.Range(func(k, v any) bool {
		st := v.(*opStats)
		s := Stats{Op: k.(string), Calls: st.calls.Load(), Errors: st.errors.Load()}
		if s.Calls > 0 {
			s.Mean = time.Duration(st.nanos.Load() / s.Calls)
		}
		out = append(out, s)
		return true
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Op < out[j].Op })
	return out
}
