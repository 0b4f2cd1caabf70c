package sessions

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"example.com/quarry/internal/kvstore/memkv"
)

func TestCreateLookupLogout(t *testing.T) {
	ctx := context.Background()
	m := NewManager(memkv.New(), time.Hour, slog.New(slog.NewTextHandler(io.Discard, nil)))
	s, err := m.Create(ctx, "42", "octocat")
	if err != nil {
		t.Fatal(err)
	}
	got, err := m.Lookup(ctx, s.ID)
	if err != nil || got.Login != "octocat" {
		t.Fatalf("lookup = %+v, %v", got, err)
	}
	if err := m.Logout(ctx, s.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Lookup(ctx, s.ID); !errors.Is(err, ErrNoSession) {
		t.Fatalf("after logout err = %v", err)
	}
}

func TestLookupEmptyID(t *testing.T) {
	m := NewManager(memkv.New(), time.Hour, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if _, err := m.Lookup(context.Background(), ""); !errors.Is(err, ErrNoSession) {
		t.Fatalf("err = %v", err)
	}
}
