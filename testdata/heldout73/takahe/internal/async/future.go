// Package async provides small generic futures and promises used by the
// fleet services to overlap KV round trips.
package async

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// Future is the eventual result of a function started with Go.
type Future[T any] struct {
	done chan struct{}
	val  T
	err  error
}

// Go runs fn in a new goroutine and returns a Future for its result.
func Go[T any](fn func() (T, error)) *Future[T] {
	f := &Future[T]{done: make(chan struct{})}
	go func() {
		defer close(f.done)
		defer func() {
			if r := recover(); r != nil {
				f.err = fmt.Errorf("async: panic: %v", r)
			}
		}()
		f.val, f.err = fn()
	}()
	return f
}

// Resolved returns a Future that is already complete.
func Resolved[T any](v T) *Future[T] {
	f := &Future[T]{done: make(chan struct{}), val: v}
	close(f.done)
	return f
}

// Failed returns a Future that is already complete with err.
func Failed[T any](err error) *Future[T] {
	f := &Future[T]{done: make(chan struct{}), err: err}
	close(f.done)
	return f
}

// Done is closed when the future completes.
func (f *Future[T]) Done() <-chan struct{} { return f.done }

// Await blocks until the future completes or ctx is done.
func (f *Future[T]) Await(ctx context.Context) (T, error) {
	select {
	case <-f.done:
		return f.val, f.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

// Then chains fn onto f. fn runs only if f succeeded.
func Then[T, U any](f *Future[T], fn func(T) (U, error)) *Future[U] {
	return Go(func() (U, error) {
		<-f.done
		if f.err != nil {
			var zero U
			return zero, f.err
		}
		return fn(f.val)
	})
}

// All waits for every future and returns their values in order. The first
// error wins; the remaining futures keep running.
func All[T any](ctx context.Context, fs ...*Future[T]) ([]T, error) {
	out := make([]T, len(fs))
	for i, f := range fs {
		v, err := f.Await(ctx)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// Settled waits for every future and joins their errors.
func Settled[T any](ctx context.Context, fs ...*Future[T]) ([]T, error) {
	out := make([]T, len(fs))
	var errs []error
	for i, f := range fs {
		v, err := f.Await(ctx)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out[i] = v
	}
	return out, errors.Join(errs...)
}

// Any returns the first successful value, or all errors joined when every
// future fails.
func Any[T any](ctx context.Context, fs ...*Future[T]) (T, error) {
	type res struct {
		v   T
		err error
	}
	ch := make(chan res, len(fs))
	for _, f := range fs {
		go func() {
			v, err := f.Await(ctx)
			ch <- res{v, err}
		}()
	}
	var errs []error
	for range fs {
		r := <-ch
		if r.err == nil {
			return r.v, nil
		}
		errs = append(errs, r.err)
	}
	var zero T
	return zero, errors.Join(errs...)
}

// Promise is a Future completed by hand, typically from a callback.
type Promise[T any] struct {
	f    *Future[T]
	once sync.Once
}

// NewPromise returns an unresolved promise.
func NewPromise[T any]() *Promise[T] {
	return &Promise[T]{f: &Future[T]{done: make(chan struct{})}}
}

// Resolve completes the promise with v. Later calls are ignored.
func (p *Promise[T]) Resolve(v T) {
	p.once.Do(func() { p.f.val = v; close(p.f.done) })
}

// Reject completes the promise with err. Later calls are ignored.
func (p *Promise[T]) Reject(err error) {
	p.once.Do(func() { p.f.err = err; close(p.f.done) })
}

// Settle resolves or rejects depending on err.
func (p *Promise[T]) Settle(v T, err error) {
	if err != nil {
		p.Reject(err)
		return
	}
	p.Resolve(v)
}

// Future returns the promise's future.
func (p *Promise[T]) Future() *Future[T] { return p.f }
