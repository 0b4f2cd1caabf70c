package jobs

import (
	"context"
	"testing"

	"example.com/kestrel/internal/store"
	"example.com/kestrel/internal/store/memstore"
)

func TestMigrateRunsOnce(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	calls := 0
	steps := []Step{{Name: "noop", Run: func(context.Context, store.Store) error { calls++; return nil }}}
	for range 2 {
		if _, err := Migrate(ctx, st, steps); err != nil {
			t.Fatal(err)
		}
	}
	if calls != 1 {
		t.Fatalf("step ran %d times", calls)
	}
}
