package stream

import (
	"context"
	"slices"
	"time"
)

// Window is the set of elements of one key whose event time falls in
// [Start, End).
type Window[T any] struct {
	Key   string
	Start time.Time
	End   time.Time
	Items []T
}

// WindowSpec describes tumbling (Slide == 0) or sliding windows over event
// time. The watermark trails the largest event time seen by AllowedLateness;
// a window fires once the watermark passes its end.
type WindowSpec[T any] struct {
	Size            time.Duration
	Slide           time.Duration
	EventTime       func(T) time.Time
	AllowedLateness time.Duration
	// FlushEvery drives the timer that fires windows between elements and
	// advances the watermark by processing time when the input is idle.
	FlushEvery time.Duration
	// OnFlush runs for every window before it is emitted downstream.
	OnFlush func(ctx context.Context, w Window[T]) error
	// OnLate receives elements that arrive after all their windows fired.
	OnLate func(ctx context.Context, key string, v T) error
}

// Tumbling returns a spec for fixed, non-overlapping windows.
func Tumbling[T any](size time.Duration, eventTime func(T) time.Time) WindowSpec[T] {
	return WindowSpec[T]{Size: size, EventTime: eventTime, FlushEvery: size / 4}
}

// Sliding returns a spec for overlapping windows of size that start every slide.
func Sliding[T any](size, slide time.Duration, eventTime func(T) time.Time) WindowSpec[T] {
	return WindowSpec[T]{Size: size, Slide: slide, EventTime: eventTime, FlushEvery: slide}
}

type windowID struct {
	key   string
	start int64
}

func (spec WindowSpec[T]) starts(ts time.Time) []time.Time {
	if spec.Slide <= 0 {
		return []time.Time{ts.Truncate(spec.Size)}
	}
	var out []time.Time
	for s := ts.Truncate(spec.Slide); s.Add(spec.Size).After(ts); s = s.Add(-spec.Slide) {
		out = append(out, s)
	}
	return out
}

// Windowed groups a keyed stream into windows and emits each window once.
func Windowed[T any](spec WindowSpec[T]) Flow[Keyed[T], Window[T]] {
	return func(ctx context.Context, in <-chan Keyed[T], out chan<- Window[T]) error {
		open := map[windowID]*Window[T]{}
		var watermark, maxSeen time.Time
		idle := true

		fire := func(upTo time.Time, all bool) error {
			var due []*Window[T]
			for id, w := range open {
				if all || !w.End.After(upTo) {
					due = append(due, w)
					delete(open, id)
				}
			}
			slices.SortFunc(due, func(a, b *Window[T]) int { return a.End.Compare(b.End) })
			for _, w := range due {
				if spec.OnFlush != nil {
					if err := spec.OnFlush(ctx, *w); err != nil {
						return err
					}
				}
				if !Emit(ctx, out, *w) {
					return ctx.Err()
				}
			}
			return nil
		}

		every := spec.FlushEvery
		if every <= 0 {
			every = time.Second
		}
		ticker := time.NewTicker(every)
		defer ticker.Stop()

		for {
			select {
			case <-ctx.Done():
				return nil
			case <-ticker.C:
				if idle {
					if pt := time.Now().Add(-spec.AllowedLateness); pt.After(watermark) {
						watermark = pt
					}
				}
				idle = true
				if err := fire(watermark, false); err != nil {
					return err
				}
			case kv, ok := <-in:
				if !ok {
					return fire(time.Time{}, true)
				}
				idle = false
				ts := spec.EventTime(kv.Value)
				if ts.After(maxSeen) {
					maxSeen = ts
					if wm := maxSeen.Add(-spec.AllowedLateness); wm.After(watermark) {
						watermark = wm
					}
				}
				placed := false
				for _, start := range spec.starts(ts) {
					end := start.Add(spec.Size)
					if !end.After(watermark) {
						continue
					}
					id := windowID{key: kv.Key, start: start.UnixNano()}
					w, ok := open[id]
					if !ok {
						w = &Window[T]{Key: kv.Key, Start: start, End: end}
						open[id] = w
					}
					w.Items = append(w.Items, kv.Value)
					placed = true
				}
				if !placed && spec.OnLate != nil {
					if err := spec.OnLate(ctx, kv.Key, kv.Value); err != nil {
						return err
					}
				}
			}
		}
	}
}
