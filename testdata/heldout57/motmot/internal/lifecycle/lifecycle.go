// Package lifecycle runs the process-exit work that has to reach KV even
// after the serving context is gone.
package lifecycle

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"
)

// Flusher persists whatever a component still holds in memory.
type Flusher struct {
	Name string
	Fn   func(ctx context.Context) error
}

// Exit collects flushers and runs them in reverse order of registration.
type Exit struct {
	mu       sync.Mutex
	flushers []Flusher
}

// OnExit registers fn under name.
func (e *Exit) OnExit(name string, fn func(ctx context.Context) error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.flushers = append(e.flushers, Flusher{Name: name, Fn: fn})
}

// Run calls every flusher, newest first, with a context detached from the
// cancelled parent but bounded by grace.
func (e *Exit) Run(parent context.Context, grace time.Duration) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(parent), grace)
	defer cancel()
	e.mu.Lock()
	fs := append([]Flusher(nil), e.flushers...)
	e.mu.Unlock()
	var errs []error
	for i := len(fs) - 1; i >= 0; i-- {
		f := fs[i]
		if err := f.Fn(ctx); err != nil {
			slog.Error("flush on exit", "component", f.Name, "err", err)
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
