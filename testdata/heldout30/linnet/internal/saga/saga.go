// Package saga runs steps with compensation: when a step fails, the undo
// functions of the steps that already succeeded run in reverse order.
package saga

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Step is one unit of work. Undo may be nil for steps with nothing to revert.
type Step struct {
	Name string
	Do   func(ctx context.Context) error
	Undo func(ctx context.Context) error
}

// Saga is an ordered list of steps.
type Saga []Step

// Then appends a step.
func (s Saga) Then(name string, do, undo func(ctx context.Context) error) Saga {
	return append(s, Step{Name: name, Do: do, Undo: undo})
}

// Run executes the steps. Compensation runs on a context detached from ctx's
// cancellation so a client disconnect cannot leave half a booking behind.
func (s Saga) Run(ctx context.Context) error {
	for i, st := range s {
		if err := st.Do(ctx); err != nil {
			if undoErr := compensate(ctx, s[:i]); undoErr != nil {
				return fmt.Errorf("saga: step %s: %w (compensation incomplete: %v)", st.Name, err, undoErr)
			}
			return fmt.Errorf("saga: step %s: %w", st.Name, err)
		}
	}
	return nil
}

func compensate(ctx context.Context, done []Step) error {
	uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	var errs []error
	for i := len(done) - 1; i >= 0; i-- {
		if undo := done[i].Undo; undo != nil {
			if err := undo(uctx); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", done[i].Name, err))
			}
		}
	}
	return errors.Join(errs...)
}
