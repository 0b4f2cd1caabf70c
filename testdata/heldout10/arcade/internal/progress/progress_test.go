package progress

import (
	"context"
	"testing"
	"time"

	"example.com/arcade/internal/store/memstore"
)

func TestAttemptsAccumulate(t *testing.T) {
	tr := NewTracker(memstore.New(), 14*24*time.Hour)
	ctx := context.Background()
	if err := tr.Apply(ctx, Attempted{Day: "2026-03-01", Challenge: "c1", Player: "p", Score: 10}); err != nil {
		t.Fatal(err)
	}
	if err := tr.Apply(ctx, Attempted{Day: "2026-03-01", Challenge: "c1", Player: "p", Score: 40}); err != nil {
		t.Fatal(err)
	}
	if err := tr.Apply(ctx, Attempted{Day: "2026-03-01", Challenge: "c1", Player: "p", Score: 25}); err != nil {
		t.Fatal(err)
	}
	run, err := tr.Standing(ctx, "2026-03-01", "c1", "p")
	if err != nil {
		t.Fatal(err)
	}
	if run.Attempts != 3 || run.Best != 40 {
		t.Fatalf("run = %+v", run)
	}
}
