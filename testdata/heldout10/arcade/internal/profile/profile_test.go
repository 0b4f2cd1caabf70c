package profile

import (
	"context"
	"errors"
	"testing"

	"example.com/arcade/internal/store/memstore"
)

type fakeStats map[string]Card

func (f fakeStats) Card(_ context.Context, id string) (Card, error) { return f[id], nil }

func TestRenameMissingProfile(t *testing.T) {
	svc := NewService(memstore.New(), fakeStats{})
	if err := svc.Rename(context.Background(), "nobody", "x"); !errors.Is(err, ErrNoProfile) {
		t.Fatalf("got %v", err)
	}
}

func TestAwardXPLevelsUp(t *testing.T) {
	svc := NewService(memstore.New(), fakeStats{})
	ctx := context.Background()
	if _, err := svc.Create(ctx, "p1", "Ada", "GB"); err != nil {
		t.Fatal(err)
	}
	p, err := svc.AwardXP(ctx, "p1", 2600)
	if err != nil {
		t.Fatal(err)
	}
	if p.Level != 3 {
		t.Fatalf("level = %d, want 3", p.Level)
	}
}

func TestSavePrefsSkipsUnchanged(t *testing.T) {
	mem := memstore.New()
	svc := NewService(mem, fakeStats{})
	ctx := context.Background()
	prefs := Prefs{Locale: "de", Sensitivity: 7}
	if err := svc.SavePrefs(ctx, "p1", prefs); err != nil {
		t.Fatal(err)
	}
	if err := svc.SavePrefs(ctx, "p1", prefs); err != nil {
		t.Fatal(err)
	}
	if len(mem.Writes) != 1 {
		t.Fatalf("writes = %v, want one", mem.Writes)
	}
}

func TestCardIsCached(t *testing.T) {
	mem := memstore.New()
	svc := NewService(mem, fakeStats{"p1": {ID: "p1", Wins: 3}})
	ctx := context.Background()
	if _, err := svc.Card(ctx, "p1"); err != nil {
		t.Fatal(err)
	}
	c, err := svc.Card(ctx, "p1")
	if err != nil || c.Wins != 3 {
		t.Fatalf("card = %+v, %v", c, err)
	}
	if len(mem.Writes) != 1 {
		t.Fatalf("writes = %v", mem.Writes)
	}
}

func TestScanVisitsAll(t *testing.T) {
	svc := NewService(memstore.New(), fakeStats{})
	ctx := context.Background()
	for _, id := range []string{"a", "b", "c"} {
		if _, err := svc.Create(ctx, id, id, "US"); err != nil {
			t.Fatal(err)
		}
	}
	seen := 0
	if err := svc.Scan(ctx, 5, func(Profile) error { seen++; return nil }); err != nil {
		t.Fatal(err)
	}
	if seen != 3 {
		t.Fatalf("seen %d", seen)
	}
}
