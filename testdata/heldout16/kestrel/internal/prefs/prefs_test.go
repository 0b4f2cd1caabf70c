package prefs

import (
	"context"
	"testing"

	"example.com/kestrel/internal/store/memstore"
)

func TestPatchKeepsOtherFields(t *testing.T) {
	ctx := context.Background()
	s := NewService(memstore.New())
	defer s.Close()
	dark := "dark"
	if _, err := s.Patch(ctx, Patch{UserID: "u1", Theme: &dark}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Patch(ctx, Patch{UserID: "u1", Notifications: map[string]bool{"billing": true}})
	if err != nil {
		t.Fatal(err)
	}
	if got.Theme != "dark" || !got.Notifications["billing"] || !got.Notifications["invites"] {
		t.Fatalf("got %+v", got)
	}
}

func TestEnsureDoesNotOverwrite(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	s := NewService(st)
	defer s.Close()
	p := Defaults("u2")
	p.Locale = "de"
	if _, err := s.Replace(ctx, p); err != nil {
		t.Fatal(err)
	}
	if err := s.Ensure(ctx, "u2"); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(ctx, GetRequest{UserID: "u2"})
	if err != nil || got.Locale != "de" {
		t.Fatalf("got %+v, %v", got, err)
	}
}
