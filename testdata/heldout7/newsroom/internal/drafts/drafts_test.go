package drafts_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/newsroom/internal/drafts"
	"example.com/newsroom/internal/store/memstore"
)

func TestAutosaveKeepsHistory(t *testing.T) {
	ctx := context.Background()
	mem := memstore.New()
	now := time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC)
	svc := drafts.New(mem, drafts.WithClock(func() time.Time { return now }))
	d := drafts.Draft{ID: "d1", Title: "Budget vote", Body: "MPs voted tonight.", Author: "ana"}
	for i := range 3 {
		now = now.Add(10 * time.Second)
		d.Body += " More."
		if err := svc.Autosave(ctx, d, "ana"); err != nil {
			t.Fatalf("autosave %d: %v", i, err)
		}
	}
	revs, err := svc.History(ctx, "d1")
	if err != nil || len(revs) != 3 {
		t.Fatalf("history = %d, %v", len(revs), err)
	}
	got, err := svc.Get(ctx, "d1")
	if err != nil || got.Body != d.Body {
		t.Fatalf("Get = %+v, %v", got, err)
	}
}

func TestLockBlocksOtherEditor(t *testing.T) {
	ctx := context.Background()
	svc := drafts.New(memstore.New())
	if err := svc.AcquireLock(ctx, "d1", "ana"); err != nil {
		t.Fatal(err)
	}
	if err := svc.AcquireLock(ctx, "d1", "ben"); !errors.Is(err, drafts.ErrLocked) {
		t.Fatalf("err = %v", err)
	}
}

func TestMine(t *testing.T) {
	ctx := context.Background()
	svc := drafts.New(memstore.New())
	for _, d := range []drafts.Draft{{ID: "a", Author: "ana"}, {ID: "b", Author: "ben"}, {ID: "c", Author: "ana"}} {
		if err := svc.Autosave(ctx, d, d.Author); err != nil {
			t.Fatal(err)
		}
	}
	mine, err := svc.Mine(ctx, "ana")
	if err != nil || len(mine) != 2 {
		t.Fatalf("Mine = %d, %v", len(mine), err)
	}
}
