package progress_test

import (
	"context"
	"testing"

	"example.com/academy/internal/kvstore/memkv"
	"example.com/academy/internal/progress"
)

func TestCompleteLesson(t *testing.T) {
	ctx := context.Background()
	tr := progress.NewTracker(memkv.New())
	for _, l := range []string{"l1", "l2", "l1"} {
		if err := tr.CompleteLesson(ctx, "ada", "go-101", l); err != nil {
			t.Fatal(err)
		}
	}
	p, err := tr.Snapshot(ctx, "ada", "go-101")
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Completed) != 2 || p.LastLesson != "l1" {
		t.Fatalf("progress = %+v", p)
	}
}
