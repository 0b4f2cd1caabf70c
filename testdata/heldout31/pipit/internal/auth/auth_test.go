package auth

import (
	"context"
	"sync"
	"testing"
	"time"

	"example.com/pipit/internal/store"
)

// fakeSessions fills the SessionStore port with closures over a map.
func fakeSessions() (SessionStore, map[string]Session) {
	var mu sync.Mutex
	m := map[string]Session{}
	return SessionStore{
		Load: func(_ context.Context, id string) (Session, error) {
			mu.Lock()
			defer mu.Unlock()
			s, ok := m[id]
			if !ok {
				return Session{}, store.ErrNotFound
			}
			return s, nil
		},
		Save: func(_ context.Context, s Session, _ time.Duration) error {
			mu.Lock()
			defer mu.Unlock()
			m[s.ID] = s
			return nil
		},
		Drop: func(_ context.Context, id string) error {
			mu.Lock()
			defer mu.Unlock()
			delete(m, id)
			return nil
		},
	}, m
}

func TestSessionStoreFake(t *testing.T) {
	ctx := context.Background()
	sessions, m := fakeSessions()
	s := Session{ID: "s1", GuestID: "g1", ExpiresAt: time.Now().Add(time.Hour)}
	if err := sessions.Save(ctx, s, time.Hour); err != nil {
		t.Fatal(err)
	}
	got, err := sessions.Load(ctx, "s1")
	if err != nil || got.GuestID != "g1" {
		t.Fatalf("load: %+v %v", got, err)
	}
	_ = sessions.Drop(ctx, "s1")
	if len(m) != 0 {
		t.Fatalf("session not dropped")
	}
}

func TestClaimsExpiry(t *testing.T) {
	c := Claims{Expires: 1_700_000_000}
	if !c.ExpiresAt().Equal(time.Unix(1_700_000_000, 0)) {
		t.Fatal("exp claim not read as Unix seconds")
	}
}
