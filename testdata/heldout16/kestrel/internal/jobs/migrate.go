// Package jobs holds kestrel's scheduled tasks and queue consumer.
package jobs

import (
	"context"
	"fmt"
	"strconv"

	"example.com/kestrel/internal/store"
)

// schemaKey records how many data migrations a namespace has had.
const schemaKey = "."

// Step is one data migration.
type Step struct {
	Name string
	Run  func(context.Context, store.Store) error
}

// Migrate runs the steps a namespace has not had yet.
func Migrate(ctx context.Context, st store.Store, steps []Step) (ran int, err error) {
	done := 0
	v, err := st.Get(ctx, schemaKey) // EXPECT kvlimits
	switch {
	case store.IsNotFound(err):
	case err != nil:
		return 0, err
	default:
		if done, err = strconv.Atoi(v); err != nil {
			return 0, fmt.Errorf("jobs: schema marker %q: %w", v, err)
		}
	}
	for _, step := range steps[min(done, len(steps)):] {
		if err := step.Run(ctx, st); err != nil {
			return ran, fmt.Errorf("jobs: migration %s: %w", step.Name, err)
		}
		ran++
	}
	if ran == 0 {
		return 0, nil
	}
	return ran, st.Put(ctx, schemaKey, strconv.Itoa(len(steps)), 0) // EXPECT kvlimits
}
