package profiles

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"example.com/foundry/internal/kvstore/memstore"
)

func newTestService() (*Service, *memstore.Store) {
	st := memstore.New()
	return New(st, time.Minute, slog.New(slog.NewTextHandler(io.Discard, nil))), st
}

func TestRegisterAndUpdate(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestService()
	p, err := s.Register(ctx, "Ash", "eu")
	if err != nil {
		t.Fatal(err)
	}
	got, rev, err := s.Get(ctx, p.PlayerID)
	if err != nil {
		t.Fatal(err)
	}
	if got.DisplayName != "Ash" || rev != 1 {
		t.Fatalf("got %+v rev %d", got, rev)
	}
	title := "Champion"
	if _, err := s.Update(ctx, p.PlayerID, 1, Patch{Title: &title}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Update(ctx, p.PlayerID, 1, Patch{Title: &title}); !errors.Is(err, ErrConflict) {
		t.Fatalf("stale update: err = %v, want ErrConflict", err)
	}
}

func TestUpgradeFromV1(t *testing.T) {
	ctx := context.Background()
	s, st := newTestService()
	data, _ := json.Marshal(profileV1{ID: "p1", Name: "Old", Lvl: 7})
	raw, _ := json.Marshal(envelope{Schema: 1, Rev: 4, Data: data})
	if err := st.Put(ctx, profileKey("p1"), raw); err != nil {
		t.Fatal(err)
	}
	p, rev, err := s.Get(ctx, "p1")
	if err != nil {
		t.Fatal(err)
	}
	s.Wait()
	if p.DisplayName != "Old" || p.Level != 7 || rev != 4 {
		t.Fatalf("upgraded = %+v rev %d", p, rev)
	}
	stored, _ := st.Get(ctx, profileKey("p1"))
	var env envelope
	_ = json.Unmarshal(stored, &env)
	if env.Schema != currentSchema {
		t.Fatalf("stored schema = %d", env.Schema)
	}
}

func TestCardIsCached(t *testing.T) {
	ctx := context.Background()
	s, st := newTestService()
	p, _ := s.Register(ctx, "Briar", "na")
	for range 3 {
		if _, err := s.Card(ctx, p.PlayerID); err != nil {
			t.Fatal(err)
		}
	}
	if n := st.Puts[cardKey(p.PlayerID)]; n != 1 {
		t.Fatalf("card written %d times, want 1", n)
	}
}
