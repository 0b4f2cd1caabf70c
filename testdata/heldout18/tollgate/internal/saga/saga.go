// Package saga runs a sequence of steps and, if one fails, the compensations
// of the steps that already completed, in reverse order.
package saga

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
)

// Step is one unit of a saga.
type Step[S any] struct {
	Name       string
	Do         func(ctx context.Context, state *S) error
	Compensate func(ctx context.Context, state *S) error
}

// Saga is an ordered list of steps over a shared state value.
type Saga[S any] struct {
	Name  string
	Steps []Step[S]
	Log   *slog.Logger
}

// StepError reports which step failed and whether compensation succeeded.
type StepError struct {
	Saga       string
	Step       string
	Err        error
	Compensate error
}

func (e *StepError) Error() string {
	msg := fmt.Sprintf("saga %s: step %s: %v", e.Saga, e.Step, e.Err)
	if e.Compensate != nil {
		msg += fmt.Sprintf(" (compensation failed: %v)", e.Compensate)
	}
	return msg
}

func (e *StepError) Unwrap() error { return e.Err }

// Run executes the saga. On failure every completed step's compensation runs,
// last first, with a context that is not cancelled by the caller.
func (s *Saga[S]) Run(ctx context.Context, state *S) error {
	log := cmp.Or(s.Log, slog.Default())
	done := make([]Step[S], 0, len(s.Steps))
	for _, step := range s.Steps {
		log.DebugContext(ctx, "saga step", "saga", s.Name, "step", step.Name)
		if err := step.Do(ctx, state); err != nil {
			serr := &StepError{Saga: s.Name, Step: step.Name, Err: err}
			cctx := context.WithoutCancel(ctx)
			var cerrs []error
			for i := len(done) - 1; i >= 0; i-- {
				if done[i].Compensate == nil {
					continue
				}
				if cerr := done[i].Compensate(cctx, state); cerr != nil {
					log.ErrorContext(ctx, "saga compensation failed", "saga", s.Name, "step", done[i].Name, "err", cerr)
					cerrs = append(cerrs, fmt.Errorf("%s: %w", done[i].Name, cerr))
				}
			}
			serr.Compensate = errors.Join(cerrs...)
			return serr
		}
		done = append(done, step)
	}
	return nil
}
