package ports_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/shrike/internal/ports"
)

// fakeSessions fills the port with closures over a map.
func fakeSessions() (ports.SessionStore, map[string]ports.Session) {
	m := map[string]ports.Session{}
	return ports.SessionStore{
		Load: func(_ context.Context, id string) (ports.Session, error) {
			s, ok := m[id]
			if !ok {
				return s, ports.ErrNotFound
			}
			return s, nil
		},
		Save: func(_ context.Context, s ports.Session, _ time.Duration) error { m[s.ID] = s; return nil },
		Drop: func(_ context.Context, id string) error { delete(m, id); return nil },
	}, m
}

func TestSessionRoundTrip(t *testing.T) {
	store, m := fakeSessions()
	ctx := context.Background()
	if err := store.Save(ctx, ports.Session{ID: "s1", RiderID: "r1"}, time.Hour); err != nil {
		t.Fatal(err)
	}
	if s, err := store.Load(ctx, "s1"); err != nil || s.RiderID != "r1" {
		t.Fatalf("load: %v %+v", err, s)
	}
	_ = store.Drop(ctx, "s1")
	if _, err := store.Load(ctx, "s1"); !errors.Is(err, ports.ErrNotFound) || len(m) != 0 {
		t.Fatalf("after drop: %v", err)
	}
}

func TestQueryDefaults(t *testing.T) {
	if q := (ports.Query{}).WithDefaults(); q.Limit != ports.DefaultLimit {
		t.Fatalf("limit %d", q.Limit)
	}
}
