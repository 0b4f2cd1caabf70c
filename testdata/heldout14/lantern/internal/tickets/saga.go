package tickets

import (
	"context"
	"errors"
	"fmt"
)

// Step is one stage of a checkout. Compensate undoes Run and may be nil.
type Step struct {
	Name       string
	Run        func(ctx context.Context) error
	Compensate func(ctx context.Context) error
}

// runSaga runs steps in order; on failure it compensates the completed ones
// in reverse order and returns the failure joined with any compensation errors.
func runSaga(ctx context.Context, steps []Step) error {
	done := make([]Step, 0, len(steps))
	for _, s := range steps {
		if err := s.Run(ctx); err != nil {
			errs := []error{fmt.Errorf("%s: %w", s.Name, err)}
			for i := len(done) - 1; i >= 0; i-- {
				if c := done[i].Compensate; c != nil {
					if cerr := c(ctx); cerr != nil {
						errs = append(errs, fmt.Errorf("undo %s: %w", done[i].Name, cerr))
					}
				}
			}
			return errors.Join(errs...)
		}
		done = append(done, s)
	}
	return nil
}
