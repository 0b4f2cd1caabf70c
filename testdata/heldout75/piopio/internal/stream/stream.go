// Package stream is a small in-process stream-processing toolkit in the
// spirit of reugn/go-streams: sources, flows and sinks connected with Via and
// To, every stage running in its own goroutine over bounded channels.
package stream

import (
	"context"
	"errors"
	"sync"
)

// Runtime owns the goroutines of one pipeline. The first stage that fails
// cancels the runtime; Wait reports that failure.
type Runtime struct {
	ctx    context.Context
	cancel context.CancelCauseFunc
	wg     sync.WaitGroup
	buffer int
}

// NewRuntime returns a runtime whose channels hold up to buffer elements.
func NewRuntime(parent context.Context, buffer int) *Runtime {
	ctx, cancel := context.WithCancelCause(parent)
	if buffer <= 0 {
		buffer = 64
	}
	return &Runtime{ctx: ctx, cancel: cancel, buffer: buffer}
}

// Context is cancelled when the pipeline fails or the parent is done.
func (rt *Runtime) Context() context.Context { return rt.ctx }

// Fail stops the pipeline with err.
func (rt *Runtime) Fail(err error) { rt.cancel(err) }

func (rt *Runtime) spawn(fn func()) {
	rt.wg.Add(1)
	go func() {
		defer rt.wg.Done()
		fn()
	}()
}

// Wait blocks until every stage has returned and reports the first failure.
func (rt *Runtime) Wait() error {
	rt.wg.Wait()
	err := context.Cause(rt.ctx)
	rt.cancel(nil)
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// Emit sends v downstream unless the pipeline has been cancelled.
func Emit[T any](ctx context.Context, out chan<- T, v T) bool {
	select {
	case out <- v:
		return true
	case <-ctx.Done():
		return false
	}
}

// Source is the head of a pipeline.
type Source[T any] struct {
	rt  *Runtime
	out <-chan T
}

// Runtime returns the runtime the source belongs to.
func (s Source[T]) Runtime() *Runtime { return s.rt }

// FromSlice emits items in order and then completes.
func FromSlice[T any](rt *Runtime, items []T) Source[T] {
	out := make(chan T, rt.buffer)
	rt.spawn(func() {
		defer close(out)
		for _, it := range items {
			if !Emit(rt.ctx, out, it) {
				return
			}
		}
	})
	return Source[T]{rt: rt, out: out}
}

// FromChan adapts an existing channel; the source completes when ch closes.
func FromChan[T any](rt *Runtime, ch <-chan T) Source[T] {
	out := make(chan T, rt.buffer)
	rt.spawn(func() {
		defer close(out)
		for {
			select {
			case v, ok := <-ch:
				if !ok {
					return
				}
				if !Emit(rt.ctx, out, v) {
					return
				}
			case <-rt.ctx.Done():
				return
			}
		}
	})
	return Source[T]{rt: rt, out: out}
}

// Generate calls next until it reports that it is exhausted.
func Generate[T any](rt *Runtime, next func(ctx context.Context) ([]T, bool, error)) Source[T] {
	out := make(chan T, rt.buffer)
	rt.spawn(func() {
		defer close(out)
		for {
			batch, more, err := next(rt.ctx)
			if err != nil {
				rt.Fail(err)
				return
			}
			for _, v := range batch {
				if !Emit(rt.ctx, out, v) {
					return
				}
			}
			if !more {
				return
			}
		}
	})
	return Source[T]{rt: rt, out: out}
}

// Flow transforms one channel into another. It must return when in is closed
// or the context is done; Via closes out afterwards.
type Flow[In, Out any] func(ctx context.Context, in <-chan In, out chan<- Out) error

// Via connects a source to a flow.
func Via[In, Out any](s Source[In], f Flow[In, Out]) Source[Out] {
	out := make(chan Out, s.rt.buffer)
	rt := s.rt
	rt.spawn(func() {
		defer close(out)
		if err := f(rt.ctx, s.out, out); err != nil {
			rt.Fail(err)
		}
	})
	return Source[Out]{rt: rt, out: out}
}

// Sink consumes elements one at a time.
type Sink[T any] func(ctx context.Context, v T) error

// To drains the source into sink. Call Wait on the runtime to block.
func To[T any](s Source[T], sink Sink[T]) {
	rt := s.rt
	rt.spawn(func() {
		for v := range s.out {
			if rt.ctx.Err() != nil {
				continue
			}
			if err := sink(rt.ctx, v); err != nil {
				rt.Fail(err)
			}
		}
	})
}

// Map applies fn to every element.
func Map[In, Out any](fn func(ctx context.Context, v In) (Out, error)) Flow[In, Out] {
	return func(ctx context.Context, in <-chan In, out chan<- Out) error {
		for v := range in {
			r, err := fn(ctx, v)
			if err != nil {
				return err
			}
			if !Emit(ctx, out, r) {
				return nil
			}
		}
		return nil
	}
}

// Filter keeps the elements for which keep reports true.
func Filter[T any](keep func(T) bool) Flow[T, T] {
	return func(ctx context.Context, in <-chan T, out chan<- T) error {
		for v := range in {
			if keep(v) && !Emit(ctx, out, v) {
				return nil
			}
		}
		return nil
	}
}

// FlatMap emits every element that fn returns.
func FlatMap[In, Out any](fn func(ctx context.Context, v In) ([]Out, error)) Flow[In, Out] {
	return func(ctx context.Context, in <-chan In, out chan<- Out) error {
		for v := range in {
			rs, err := fn(ctx, v)
			if err != nil {
				return err
			}
			for _, r := range rs {
				if !Emit(ctx, out, r) {
					return nil
				}
			}
		}
		return nil
	}
}

// Keyed is an element tagged with its partition key.
type Keyed[T any] struct {
	Key   string
	Value T
}

// KeyBy tags every element with key(v).
func KeyBy[T any](key func(T) string) Flow[T, Keyed[T]] {
	return Map(func(_ context.Context, v T) (Keyed[T], error) {
		return Keyed[T]{Key: key(v), Value: v}, nil
	})
}

// Reduce folds a keyed, bounded stream and emits one accumulator per key,
// in first-seen order, once the input completes.
func Reduce[T, A any](zero func() A, fn func(acc A, v T) A) Flow[Keyed[T], Keyed[A]] {
	return func(ctx context.Context, in <-chan Keyed[T], out chan<- Keyed[A]) error {
		accs := map[string]A{}
		var order []string
		for kv := range in {
			acc, ok := accs[kv.Key]
			if !ok {
				acc = zero()
				order = append(order, kv.Key)
			}
			accs[kv.Key] = fn(acc, kv.Value)
		}
		for _, k := range order {
			if !Emit(ctx, out, Keyed[A]{Key: k, Value: accs[k]}) {
				return nil
			}
		}
		return nil
	}
}
