// Package pool runs jobs on a fixed number of goroutines.
package pool

import (
	"context"
	"errors"
	"sync"
)

// Run feeds jobs to workers goroutines running fn and waits for them. It
// returns every error joined; a cancelled ctx stops feeding new jobs.
func Run[J any](ctx context.Context, workers int, jobs []J, fn func(context.Context, J) error) error {
	if workers < 1 {
		workers = 1
	}
	ch := make(chan J)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range ch {
				if err := fn(ctx, j); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}
		}()
	}
feed:
	for _, j := range jobs {
		select {
		case <-ctx.Done():
			mu.Lock()
			errs = append(errs, ctx.Err())
			mu.Unlock()
			break feed
		case ch <- j:
		}
	}
	close(ch)
	wg.Wait()
	return errors.Join(errs...)
}
