// Package saga runs a sequence of steps and, when one fails, undoes the
// steps that already succeeded in reverse order.
package saga

import (
	"context"
	"errors"
	"fmt"
)

// Step is one action with its compensation. Undo may be nil for steps that
// have nothing to take back.
type Step struct {
	Name string
	Do   func(ctx context.Context) error
	Undo func(ctx context.Context) error
}

// Run executes steps in order. The returned error wraps the failing step's
// error and any compensation failures.
func Run(ctx context.Context, steps ...Step) error {
	for i, s := range steps {
		if err := s.Do(ctx); err != nil {
			undo := context.WithoutCancel(ctx)
			errs := []error{fmt.Errorf("saga: step %s: %w", s.Name, err)}
			for j := i - 1; j >= 0; j-- {
				if u := steps[j].Undo; u != nil {
					if err := u(undo); err != nil {
						errs = append(errs, fmt.Errorf("saga: undo %s: %w", steps[j].Name, err))
					}
				}
			}
			return errors.Join(errs...)
		}
	}
	return nil
}
