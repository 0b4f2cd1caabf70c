// Package pool runs work items through a fixed number of goroutines.
package pool

import (
	"context"
	"sync"

	"example.com/pylon/internal/fp"
)

// Run starts n workers applying fn to items from in; the results channel
// closes when all workers are done or ctx is cancelled.
func Run[T, R any](ctx context.Context, n int, in <-chan T, fn func(context.Context, T) (R, error)) <-chan fp.Result[R] {
	if n <= 0 {
		n = 1
	}
	out := make(chan fp.Result[R], n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-ctx.Done():
					return
				case item, ok := <-in:
					if !ok {
						return
					}
					v, err := fn(ctx, item)
					select {
					case out <- fp.Result[R]{Value: v, Err: err}:
					case <-ctx.Done():
						return
					}
				}
			}
		}()
	}
	go func() {
		wg.Wait()
		close(out)
	}()
	return out
}

// Feed sends items on a new channel and closes it when done or cancelled.
func Feed[T any](ctx context.Context, items []T) <-chan T {
	ch := make(chan T)
	go func() {
		defer close(ch)
		for _, it := range items {
			select {
			case ch <- it:
			case <-ctx.Done():
				return
			}
		}
	}()
	return ch
}

// Collect drains a results channel.
func Collect[R any](ch <-chan fp.Result[R]) []fp.Result[R] {
	var out []fp.Result[R]
	for r := range ch {
		out = append(out, r)
	}
	return out
}
