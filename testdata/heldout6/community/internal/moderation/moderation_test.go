package moderation

import (
	"context"
	"testing"
	"time"

	"example.com/community/internal/store/memstore"
)

func TestReportAutoHides(t *testing.T) {
	ctx := context.Background()
	q := NewQueue(memstore.New(), Config{AutoHideAfter: 2, ReviewWindow: time.Hour})
	if hidden, err := q.Report(ctx, "p1", "u1", "spam"); err != nil || hidden {
		t.Fatalf("first report: %v %v", hidden, err)
	}
	hidden, err := q.Report(ctx, "p1", "u2", "spam")
	if err != nil || !hidden {
		t.Fatalf("second report: %v %v", hidden, err)
	}
	if held, _ := q.IsHeld(ctx, "p1"); !held {
		t.Fatal("post not held")
	}
	ids, _, err := q.Pending(ctx, "")
	if err != nil || len(ids) != 1 {
		t.Fatalf("pending = %v %v", ids, err)
	}
	if n, err := q.Backlog(ctx); err != nil || n != 1 {
		t.Fatalf("backlog = %d %v", n, err)
	}
	if err := q.Resolve(ctx, ids[0], false); err != nil {
		t.Fatal(err)
	}
	if held, _ := q.IsHeld(ctx, "p1"); held {
		t.Fatal("hold not lifted")
	}
}
