package invites

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/kestrel/internal/events"
	"example.com/kestrel/internal/store/memstore"
)

func newService(t *testing.T) (*Service, *memstore.Store, *events.Bus) {
	t.Helper()
	st := memstore.New()
	bus := events.New(nil)
	events.Subscribe(bus, "roster", Members{St: st}.OnInviteAccepted)
	return New(st, bus, 48*time.Hour, 2), st, bus
}

func TestCreateAccept(t *testing.T) {
	ctx := context.Background()
	s, st, _ := newService(t)
	inv, err := s.Create(ctx, CreateRequest{Org: "acme", Email: "Dev@Acme.io", Role: "developer"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Accept(ctx, AcceptRequest{Code: inv.Code, UserID: "u2", Email: "dev@acme.io"}); err != nil {
		t.Fatal(err)
	}
	roster, err := Members{St: st}.Members(ctx, "acme")
	if err != nil || len(roster) != 1 || roster[0].UserID != "u2" {
		t.Fatalf("roster = %v, %v", roster, err)
	}
	if _, err := s.Accept(ctx, AcceptRequest{Code: inv.Code, UserID: "u2", Email: "dev@acme.io"}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second accept: %v", err)
	}
}

func TestWrongEmailLocks(t *testing.T) {
	ctx := context.Background()
	s, _, _ := newService(t)
	inv, err := s.Create(ctx, CreateRequest{Org: "acme", Email: "a@acme.io", Role: "viewer"})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := s.Accept(ctx, AcceptRequest{Code: inv.Code, Email: "b@acme.io"}); !errors.Is(err, ErrWrongUser) {
			t.Fatalf("got %v", err)
		}
	}
	if _, err := s.Accept(ctx, AcceptRequest{Code: inv.Code, Email: "a@acme.io"}); !errors.Is(err, ErrLocked) {
		t.Fatalf("got %v", err)
	}
}

func TestListPages(t *testing.T) {
	ctx := context.Background()
	s, _, _ := newService(t)
	for range 3 {
		if _, err := s.Create(ctx, CreateRequest{Org: "acme", Email: "x@acme.io", Role: "viewer"}); err != nil {
			t.Fatal(err)
		}
	}
	resp, err := s.List(ctx, ListRequest{Org: "acme"})
	if err != nil || len(resp.Codes) != 3 || resp.Cursor != "" {
		t.Fatalf("resp = %+v, %v", resp, err)
	}
}
