package courier

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/curlew/internal/kv"
	"example.com/curlew/internal/kv/memkv"
)

type fakeTokens struct{ issued map[string]string }

func (f *fakeTokens) Issue(_ context.Context, token, courierID string, _ time.Time) error {
	if f.issued == nil {
		f.issued = map[string]string{}
	}
	f.issued[token] = courierID
	return nil
}

type fakeRoutes struct{ err error }

func (f fakeRoutes) AssignCourier(context.Context, string, string) error { return f.err }

type noScheduler struct{}

func (noScheduler) After(time.Duration, string, func(context.Context) error) {}

func TestStartRollsBackOnRouteFailure(t *testing.T) {
	store := memkv.New()
	sessions := NewSessions(store)
	shifts := NewShifts(store, sessions, &fakeTokens{}, fakeRoutes{err: errors.New("route locked")}, noScheduler{})
	ctx := context.Background()

	_, err := shifts.Start(ctx, "c1", "d1", "lhr", "r1", time.Now().Add(8*time.Hour))
	if err == nil {
		t.Fatal("expected error")
	}
	page, _ := store.List(ctx, kv.ListParams{Prefix: sessionPrefix})
	if len(page.Keys) != 0 {
		t.Fatalf("session left behind: %v", page.Keys)
	}
	page, _ = store.List(ctx, kv.ListParams{Prefix: "shift:"})
	if len(page.Keys) != 0 {
		t.Fatalf("shift record left behind: %v", page.Keys)
	}
}

func TestStartAndLookup(t *testing.T) {
	store := memkv.New()
	sessions := NewSessions(store)
	tokens := &fakeTokens{}
	shifts := NewShifts(store, sessions, tokens, fakeRoutes{}, noScheduler{})
	res, err := shifts.Start(context.Background(), "c1", "d1", "lhr", "r1", time.Now().Add(8*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if tokens.issued[res.DeviceToken] != "c1" {
		t.Fatal("device token not issued")
	}
	got, err := sessions.Lookup(context.Background(), res.Session.ID)
	if err != nil || got.CourierID != "c1" {
		t.Fatalf("lookup: %+v %v", got, err)
	}
}

func TestRecordLifetimeFloor(t *testing.T) {
	rec := toRecord(Session{ShiftEnd: time.Now().Add(-time.Hour)})
	if rec.lifetime() < time.Minute {
		t.Fatalf("lifetime %v below a minute", rec.lifetime())
	}
}
