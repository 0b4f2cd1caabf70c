// Package pipeline has the small concurrency helpers the workers share: an
// error group, fixed-size worker pools and channel stages.
package pipeline

import (
	"context"
	"sync"
)

// Group runs goroutines and keeps the first error; the first failure cancels
// the group's context.
type Group struct {
	wg     sync.WaitGroup
	once   sync.Once
	err    error
	cancel context.CancelFunc
}

// WithContext returns a Group and a context cancelled when a member fails or
// Wait returns.
func WithContext(ctx context.Context) (*Group, context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	return &Group{cancel: cancel}, ctx
}

// Go runs fn in a new goroutine.
func (g *Group) Go(fn func() error) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		if err := fn(); err != nil {
			g.once.Do(func() {
				g.err = err
				if g.cancel != nil {
					g.cancel()
				}
			})
		}
	}()
}

// Wait blocks until every goroutine returned and reports the first error.
func (g *Group) Wait() error {
	g.wg.Wait()
	if g.cancel != nil {
		g.cancel()
	}
	return g.err
}

// Pool runs fn for every job received on jobs with n workers.
func Pool[T any](ctx context.Context, n int, jobs <-chan T, fn func(ctx context.Context, job T) error) error {
	g, ctx := WithContext(ctx)
	for range n {
		g.Go(func() error {
			for {
				select {
				case <-ctx.Done():
					return ctx.Err()
				case job, ok := <-jobs:
					if !ok {
						return nil
					}
					if err := fn(ctx, job); err != nil {
						return err
					}
				}
			}
		})
	}
	return g.Wait()
}

// Stage maps every item of in with n workers and sends the results on the
// returned channel, which is closed when in is drained. Items for which fn
// returns ok == false are dropped.
func Stage[In, Out any](ctx context.Context, g *Group, n int, in <-chan In, fn func(ctx context.Context, v In) (out Out, ok bool, err error)) <-chan Out {
	out := make(chan Out, n)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		g.Go(func() error {
			defer wg.Done()
			for v := range in {
				o, ok, err := fn(ctx, v)
				if err != nil {
					return err
				}
				if !ok {
					continue
				}
				select {
				case out <- o:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			return nil
		})
	}
	go func() {
		wg.Wait()
		close(out)
	}()
	return out
}
