// Package saga runs a sequence of steps and compensates completed steps when
// a later one fails.
package saga

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
)

// Step is one unit of work with its compensation. Undo may be nil when a
// step has nothing to roll back.
type Step struct {
	Name string
	Do   func(context.Context) error
	Undo func(context.Context) error
}

// Saga is an ordered list of steps.
type Saga struct {
	name  string
	steps []Step
}

// New starts a saga.
func New(name string) *Saga { return &Saga{name: name} }

// Then appends a step.
func (s *Saga) Then(name string, do, undo func(context.Context) error) *Saga {
	s.steps = append(s.steps, Step{Name: name, Do: do, Undo: undo})
	return s
}

// Run executes the steps in order. When one fails, the steps that completed
// are undone in reverse order, even if ctx was cancelled meanwhile.
func (s *Saga) Run(ctx context.Context) error {
	for i, st := range s.steps {
		if err := st.Do(ctx); err != nil {
			failed := fmt.Errorf("saga %s: step %s: %w", s.name, st.Name, err)
			return errors.Join(failed, s.compensate(context.WithoutCancel(ctx), i))
		}
	}
	return nil
}

func (s *Saga) compensate(ctx context.Context, done int) error {
	var errs []error
	for i := done - 1; i >= 0; i-- {
		st := s.steps[i]
		if st.Undo == nil {
			continue
		}
		if err := st.Undo(ctx); err != nil {
			slog.ErrorContext(ctx, "saga compensation failed", "saga", s.name, "step", st.Name, "err", err)
			errs = append(errs, fmt.Errorf("undo %s: %w", st.Name, err))
		}
	}
	return errors.Join(errs...)
}
