package events

import (
	"context"
	"testing"
	"time"

	"example.com/boxoffice/internal/origin"
	"example.com/boxoffice/internal/storage/memstore"
)

type fakeSource struct{ calls int }

func (f *fakeSource) Event(_ context.Context, id string) (origin.Event, error) {
	f.calls++
	return origin.Event{ID: id, Name: "Show " + id, Capacity: 800, SalesEnd: time.Now().Add(time.Hour)}, nil
}

func TestEventReadsThrough(t *testing.T) {
	ctx := context.Background()
	src := &fakeSource{}
	c := NewCatalog(memstore.New(), src, time.Hour)
	for i := 0; i < 3; i++ {
		ev, err := c.Event(ctx, "ev1")
		if err != nil || ev.Name != "Show ev1" {
			t.Fatalf("event = %+v, %v", ev, err)
		}
	}
	if src.calls != 1 {
		t.Fatalf("origin called %d times", src.calls)
	}
}

func TestCapacityOverride(t *testing.T) {
	ctx := context.Background()
	c := NewCatalog(memstore.New(), &fakeSource{}, time.Hour)
	if n, err := c.Capacity(ctx, "ev2"); err != nil || n != 800 {
		t.Fatalf("default capacity = %d, %v", n, err)
	}
	if err := c.SetCapacity(ctx, "ev2", 650); err != nil {
		t.Fatal(err)
	}
	if n, _ := c.Capacity(ctx, "ev2"); n != 650 {
		t.Fatalf("capacity after override = %d", n)
	}
}

func TestIDs(t *testing.T) {
	ctx := context.Background()
	c := NewCatalog(memstore.New(), &fakeSource{}, time.Hour)
	for _, id := range []string{"a", "b", "c"} {
		if _, err := c.Event(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	_ = c.SetCapacity(ctx, "a", 10)
	all, err := c.AllIDs(ctx)
	if err != nil || len(all) != 3 {
		t.Fatalf("all = %v, %v", all, err)
	}
	some, _ := c.RecentIDs(ctx, 2)
	if len(some) != 2 || some[0] != "a" {
		t.Fatalf("recent = %v", some)
	}
	rows, next, err := c.Page(ctx, "")
	if err != nil || next != "" || len(rows) != 3 {
		t.Fatalf("page = %v %q %v", rows, next, err)
	}
}
