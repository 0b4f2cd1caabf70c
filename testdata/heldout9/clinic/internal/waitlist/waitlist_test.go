package waitlist

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/clinic/internal/kvstore/memkv"
)

func TestJoinAndPosition(t *testing.T) {
	ctx := context.Background()
	svc := New(memkv.New(), time.Hour)
	base := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	tick := 0
	svc.now = func() time.Time { tick++; return base.Add(time.Duration(tick) * time.Second) }

	for i, p := range []string{"ann", "bob", "cat"} {
		ticket, err := svc.Join(ctx, "c1", "physio", p)
		if err != nil {
			t.Fatal(err)
		}
		if ticket != i+1 {
			t.Fatalf("%s: ticket %d, want %d", p, ticket, i+1)
		}
	}
	pos, err := svc.Position(ctx, "c1", "bob")
	if err != nil || pos != 2 {
		t.Fatalf("Position(bob) = %d, %v; want 2", pos, err)
	}
	if _, err := svc.Position(ctx, "c1", "dan"); !errors.Is(err, ErrNotQueued) {
		t.Fatalf("Position(dan) err = %v", err)
	}
}

func TestPreferencesDefaultsToZero(t *testing.T) {
	svc := New(memkv.New(), time.Hour)
	if p := svc.Preferences(context.Background(), "nobody"); p != (Prefs{}) {
		t.Fatalf("got %+v", p)
	}
}
