// Package saga runs multi-step workflows whose completed steps are undone,
// in reverse order, when a later step fails.
package saga

import (
	"context"
	"fmt"
	"log/slog"
)

// Step is one unit of a saga. Compensate may be nil for steps with no side
// effects to undo.
type Step[S any] struct {
	Name       string
	Run        func(ctx context.Context, state *S) error
	Compensate func(ctx context.Context, state *S) error
}

// Saga is an ordered list of steps over shared state S.
type Saga[S any] struct {
	name  string
	steps []Step[S]
	log   *slog.Logger
}

// New returns an empty saga.
func New[S any](name string, log *slog.Logger) *Saga[S] { return &Saga[S]{name: name, log: log} }

// Then appends a step and returns the saga for chaining.
func (s *Saga[S]) Then(step Step[S]) *Saga[S] {
	s.steps = append(s.steps, step)
	return s
}

// StepError reports which step failed.
type StepError struct {
	Step string
	Err  error
}

func (e *StepError) Error() string { return fmt.Sprintf("step %s: %v", e.Step, e.Err) }
func (e *StepError) Unwrap() error { return e.Err }

// Run executes the steps. When a step fails, the compensations of the steps
// that already completed run in reverse order.
func (s *Saga[S]) Run(ctx context.Context, state *S) error {
	for i, step := range s.steps {
		err := step.Run(ctx, state)
		if err == nil {
			continue
		}
		for j := i - 1; j >= 0; j-- {
			if c := s.steps[j]; c.Compensate != nil {
				if cerr := c.Compensate(context.WithoutCancel(ctx), state); cerr != nil {
					s.log.ErrorContext(ctx, "saga compensation failed", "saga", s.name, "step", c.Name, "err", cerr)
				}
			}
		}
		return &StepError{Step: step.Name, Err: err}
	}
	return nil
}
