package bookings

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"example.com/clinic/internal/kvstore/memkv"
)

type depositStub bool

func (d depositStub) DepositRequired(context.Context, string, int) bool { return bool(d) }

func TestConfirmIndexesDay(t *testing.T) {
	ctx := context.Background()
	store := memkv.New()
	svc := New(store, depositStub(false))
	at := time.Date(2025, 5, 2, 10, 0, 0, 0, time.UTC)
	for _, id := range []string{"b1", "b2"} {
		if err := svc.Confirm(ctx, Booking{ID: id, ClinicID: "c1", At: at}, false); err != nil {
			t.Fatal(err)
		}
	}
	raw, err := store.Get(ctx, "day:c1:2025-05-02")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	if err := json.Unmarshal(raw, &ids); err != nil || len(ids) != 2 {
		t.Fatalf("index = %s (%v)", raw, err)
	}
	got, err := svc.Get(ctx, "b2")
	if err != nil || got.Status != "confirmed" {
		t.Fatalf("Get = %+v, %v", got, err)
	}
}

func TestConfirmNeedsDeposit(t *testing.T) {
	svc := New(memkv.New(), depositStub(true))
	err := svc.Confirm(context.Background(), Booking{ID: "b1"}, false)
	if !errors.Is(err, ErrDepositRequired) {
		t.Fatalf("err = %v", err)
	}
}

func TestDraftAndPrefs(t *testing.T) {
	ctx := context.Background()
	svc := New(memkv.New(), depositStub(false))
	svc.AddToDraft(ctx, "s1", DraftItem{Service: "checkup", Minutes: 20})
	d, err := svc.AddToDraft(ctx, "s1", DraftItem{Service: "bloods", Minutes: 10})
	if err != nil || len(d.Items) != 2 {
		t.Fatalf("draft = %+v, %v", d, err)
	}
	p, err := svc.PrefsFor(ctx, "p1")
	if err != nil || p.Channel != "sms" {
		t.Fatalf("prefs = %+v, %v", p, err)
	}
	if err := svc.SetPrefs(ctx, "p1", Prefs{Channel: "email", Language: "de"}); err != nil {
		t.Fatal(err)
	}
	if p, _ := svc.PrefsFor(ctx, "p1"); p.Channel != "email" {
		t.Fatalf("prefs after update = %+v", p)
	}
}

type fakeDB struct{ calls int }

func (f *fakeDB) Upcoming(_ context.Context, _ string, clinicID string, _, _ time.Time) ([]Booking, error) {
	f.calls++
	return []Booking{{ID: "b1", ClinicID: clinicID}}, nil
}

func TestCalendarCachesQuery(t *testing.T) {
	db := &fakeDB{}
	cal := NewCalendar(memkv.New(), db)
	for range 3 {
		rows, err := cal.Upcoming(context.Background(), "c1")
		if err != nil || len(rows) != 1 {
			t.Fatalf("rows = %v, %v", rows, err)
		}
	}
	if db.calls != 1 {
		t.Fatalf("db called %d times, want 1", db.calls)
	}
}
