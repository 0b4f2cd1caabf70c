// Package pipes is a small stream library in the style of reugn/go-streams:
// each stage runs in a goroutine that the stage function does not wait
// for, and calls the function it was given once per element.
package pipes

import "context"

type Source[T any] struct{ out <-chan T }

func FromSlice[T any](items []T) Source[T] {
	out := make(chan T, len(items))
	go func() {
		defer close(out)
		for _, it := range items {
			out <- it
		}
	}()
	return Source[T]{out: out}
}

type Flow[In, Out any] func(ctx context.Context, in <-chan In, out chan<- Out) error

func Via[In, Out any](s Source[In], f Flow[In, Out]) Source[Out] {
	out := make(chan Out)
	go func() {
		defer close(out)
		_ = f(context.Background(), s.out, out)
	}()
	return Source[Out]{out: out}
}

// Map applies fn to every element, in a stage that runs after it returns.
func Map[In, Out any](fn func(ctx context.Context, v In) (Out, error)) Flow[In, Out] {
	return func(ctx context.Context, in <-chan In, out chan<- Out) error {
		for v := range in {
			r, err := fn(ctx, v)
			if err != nil {
				return err
			}
			out <- r
		}
		return nil
	}
}

// KeyBy tags every element with key(v): through Map, key too is called
// once per element.
func KeyBy[T any](key func(T) string) Flow[T, [2]any] {
	return Map(func(_ context.Context, v T) ([2]any, error) { return [2]any{key(v), v}, nil })
}

type Sink[T any] func(ctx context.Context, v T) error

// To drains s into sink, one call per element, in a goroutine.
func To[T any](s Source[T], sink Sink[T]) {
	go func() {
		for v := range s.out {
			_ = sink(context.Background(), v)
		}
	}()
}

// OnClose keeps fn to call once, when the pipeline ends.
func OnClose(fn func()) func() {
	return func() { fn() }
}

// Generate calls next, in a goroutine, until it reports that it is
// exhausted, and emits what each call returns.
func Generate[T any](next func() ([]T, bool, error)) Source[T] {
	out := make(chan T)
	go func() {
		defer close(out)
		for {
			batch, more, err := next()
			if err != nil {
				return
			}
			for _, v := range batch {
				out <- v
			}
			if !more {
				return
			}
		}
	}()
	return Source[T]{out: out}
}
