// Package background runs short follow-up work after a response has been
// written, detached from the request's cancellation but not from shutdown.
package background

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Runner tracks detached tasks so shutdown can wait for them.
type Runner struct {
	wg      sync.WaitGroup
	log     *slog.Logger
	timeout time.Duration
}

// New returns a Runner whose tasks each get timeout to finish.
func New(log *slog.Logger, timeout time.Duration) *Runner {
	return &Runner{log: log, timeout: timeout}
}

// Go runs fn with a context that keeps ctx's values but not its
// cancellation, bounded by the runner's timeout.
func (r *Runner) Go(ctx context.Context, name string, fn func(context.Context) error) {
	detached := context.WithoutCancel(ctx)
	r.wg.Go(func() {
		tctx, cancel := context.WithTimeout(detached, r.timeout)
		defer cancel()
		if err := fn(tctx); err != nil {
			r.log.WarnContext(tctx, "background task failed", "task", name, "err", err)
		}
	})
}

// OnCancel runs fn in the background once ctx is cancelled, unless stop is
// called first.
func (r *Runner) OnCancel(ctx context.Context, name string, fn func(context.Context) error) (stop func() bool) {
	return context.AfterFunc(ctx, func() { r.Go(ctx, name, fn) })
}

// Wait blocks until all tasks finish or ctx ends.
func (r *Runner) Wait(ctx context.Context) error {
	done := make(chan struct{})
	go func() { r.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
