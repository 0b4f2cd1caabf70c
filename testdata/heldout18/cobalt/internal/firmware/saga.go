package firmware

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
)

// Step is one forward action of a saga and the action that undoes it.
type Step struct {
	Name string
	Do   func(context.Context) error
	Undo func(context.Context) error
}

// Saga runs steps in order and, when one fails, undoes the completed ones in
// reverse order.
type Saga struct {
	Name  string
	Steps []Step
	Log   *slog.Logger
}

// Run executes the saga.
func (s *Saga) Run(ctx context.Context) error {
	for i, st := range s.Steps {
		if err := st.Do(ctx); err != nil {
			s.Log.WarnContext(ctx, "saga step failed", "saga", s.Name, "step", st.Name, "err", err)
			return errors.Join(fmt.Errorf("%s: %w", st.Name, err), s.compensate(ctx, i))
		}
	}
	return nil
}

func (s *Saga) compensate(ctx context.Context, failed int) error {
	var errs []error
	for j := failed - 1; j >= 0; j-- {
		st := s.Steps[j]
		if st.Undo == nil {
			continue
		}
		if err := st.Undo(ctx); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", st.Name, err))
		}
	}
	return errors.Join(errs...)
}
