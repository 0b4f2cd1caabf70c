// Package rx is a small reactive-streams library in the style of RxGo, used
// to move chain events through buffering and de-duplication stages.
package rx

import (
	"context"
	"time"
)

// Observer receives the items of an Observable.
type Observer[T any] struct {
	OnNext     func(T)
	OnError    func(error)
	OnComplete func()
}

// Observable is a cold stream of T.
type Observable[T any] struct {
	run func(ctx context.Context, obs Observer[T])
}

// Create builds an Observable from a producer. The producer returns when the
// stream is complete; a non-nil error is delivered to OnError.
func Create[T any](produce func(ctx context.Context, emit func(T)) error) Observable[T] {
	return Observable[T]{run: func(ctx context.Context, obs Observer[T]) {
		if err := produce(ctx, obs.OnNext); err != nil {
			obs.OnError(err)
			return
		}
		obs.OnComplete()
	}}
}

// FromChannel emits every value received on ch until it is closed.
func FromChannel[T any](ch <-chan T) Observable[T] {
	return Create(func(ctx context.Context, emit func(T)) error {
		for {
			select {
			case v, ok := <-ch:
				if !ok {
					return nil
				}
				emit(v)
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	})
}

// Just emits the given items.
func Just[T any](items ...T) Observable[T] {
	return Create(func(_ context.Context, emit func(T)) error {
		for _, it := range items {
			emit(it)
		}
		return nil
	})
}

// Filter keeps the items for which pred is true.
func (o Observable[T]) Filter(pred func(T) bool) Observable[T] {
	return Observable[T]{run: func(ctx context.Context, obs Observer[T]) {
		o.run(ctx, Observer[T]{
			OnNext: func(v T) {
				if pred(v) {
					obs.OnNext(v)
				}
			},
			OnError:    obs.OnError,
			OnComplete: obs.OnComplete,
		})
	}}
}

// Distinct drops items whose key was already seen.
func (o Observable[T]) Distinct(key func(T) string) Observable[T] {
	return Observable[T]{run: func(ctx context.Context, obs Observer[T]) {
		seen := make(map[string]struct{})
		o.run(ctx, Observer[T]{
			OnNext: func(v T) {
				k := key(v)
				if _, ok := seen[k]; ok {
					return
				}
				seen[k] = struct{}{}
				obs.OnNext(v)
			},
			OnError:    obs.OnError,
			OnComplete: obs.OnComplete,
		})
	}}
}

// Map transforms every item.
func Map[T, R any](o Observable[T], f func(T) R) Observable[R] {
	return Observable[R]{run: func(ctx context.Context, obs Observer[R]) {
		o.run(ctx, Observer[T]{
			OnNext:     func(v T) { obs.OnNext(f(v)) },
			OnError:    obs.OnError,
			OnComplete: obs.OnComplete,
		})
	}}
}

// FlatMap maps every item to an Observable and emits all of their items.
func FlatMap[T, R any](o Observable[T], f func(T) Observable[R]) Observable[R] {
	return Observable[R]{run: func(ctx context.Context, obs Observer[R]) {
		o.run(ctx, Observer[T]{
			OnNext: func(v T) {
				f(v).run(ctx, Observer[R]{OnNext: obs.OnNext, OnError: obs.OnError, OnComplete: func() {}})
			},
			OnError:    obs.OnError,
			OnComplete: obs.OnComplete,
		})
	}}
}

// BufferWithCount groups items into slices of n.
func BufferWithCount[T any](o Observable[T], n int) Observable[[]T] {
	return BufferWithTimeOrCount(o, 0, n)
}

// BufferWithTimeOrCount emits a slice when n items were collected or when d
// has passed since the first item of the slice (d == 0 disables the timer).
func BufferWithTimeOrCount[T any](o Observable[T], d time.Duration, n int) Observable[[]T] {
	return Observable[[]T]{run: func(ctx context.Context, obs Observer[[]T]) {
		items := make(chan T)
		done := make(chan error, 1)
		go func() {
			o.run(ctx, Observer[T]{
				OnNext:     func(v T) { items <- v },
				OnError:    func(err error) { done <- err },
				OnComplete: func() { done <- nil },
			})
		}()
		var buf []T
		var timer <-chan time.Time
		flush := func() {
			if len(buf) > 0 {
				obs.OnNext(buf)
				buf = nil
			}
			timer = nil
		}
		for {
			select {
			case v := <-items:
				if len(buf) == 0 && d > 0 {
					timer = time.After(d)
				}
				buf = append(buf, v)
				if len(buf) >= n {
					flush()
				}
			case <-timer:
				flush()
			case err := <-done:
				flush()
				if err != nil {
					obs.OnError(err)
				} else {
					obs.OnComplete()
				}
				return
			}
		}
	}}
}

// Subscribe runs the stream in a new goroutine and returns a channel closed
// when it terminates.
func (o Observable[T]) Subscribe(ctx context.Context, obs Observer[T]) <-chan struct{} {
	stop := make(chan struct{})
	if obs.OnError == nil {
		obs.OnError = func(error) {}
	}
	if obs.OnComplete == nil {
		obs.OnComplete = func() {}
	}
	go func() {
		defer close(stop)
		o.run(ctx, obs)
	}()
	return stop
}

// ForEach is Subscribe with positional callbacks.
func (o Observable[T]) ForEach(ctx context.Context, onNext func(T), onError func(error), onComplete func()) <-chan struct{} {
	return o.Subscribe(ctx, Observer[T]{OnNext: onNext, OnError: onError, OnComplete: onComplete})
}
