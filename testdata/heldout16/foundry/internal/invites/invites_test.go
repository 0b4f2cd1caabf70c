package invites

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/foundry/internal/kvstore/memstore"
)

func ttl(Kind) time.Duration { return time.Hour }

func TestSendAccept(t *testing.T) {
	ctx := context.Background()
	s := New(memstore.New(), ttl)
	inv, err := s.Send(ctx, Guild, "g1", "alice", "bob")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Accept(ctx, "g1", inv.Code, "mallory"); !errors.Is(err, ErrNotYours) {
		t.Fatalf("accept by other player: %v", err)
	}
	r, err := s.Accept(ctx, "g1", inv.Code, "bob")
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Members) != 1 || r.Members[0] != "bob" {
		t.Fatalf("roster = %+v", r)
	}
	pending, truncated, err := s.Pending(ctx, "g1")
	if err != nil || truncated || len(pending) != 1 {
		t.Fatalf("pending = %v %v %v", pending, truncated, err)
	}
}

func TestSendUntilClampsShortDeadlines(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	st.Now = func() time.Time { return now }
	s := New(st, ttl)
	s.now = func() time.Time { return now }
	if _, err := s.SendUntil(ctx, Party, "p1", "a", "b", now.Add(5*time.Second)); err != nil {
		t.Fatal(err)
	}
	page, _ := st.List(ctx, kvstoreQuery("invite/p1/"))
	if len(page.Keys) != 1 {
		t.Fatalf("keys = %+v", page.Keys)
	}
	if got := page.Keys[0].Expiration.Sub(now); got != time.Minute {
		t.Fatalf("ttl = %v, want 1m", got)
	}
}
