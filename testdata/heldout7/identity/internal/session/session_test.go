package session_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/identity/internal/session"
	"example.com/identity/internal/store/memstore"
)

func TestSessionLifecycle(t *testing.T) {
	ctx := context.Background()
	m := session.NewManager(memstore.New(), session.WithLifetime(time.Hour))
	var handles []string
	for range 3 {
		s, err := m.Create(ctx, "u1", "test", []string{"pwd"})
		if err != nil {
			t.Fatal(err)
		}
		handles = append(handles, session.Handle(s))
	}
	if _, err := m.Load(ctx, handles[0]); err != nil {
		t.Fatalf("load: %v", err)
	}
	if err := m.Logout(ctx, handles[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Load(ctx, handles[0]); !errors.Is(err, session.ErrNoSession) {
		t.Fatalf("after logout: %v", err)
	}
	n, err := m.RevokeAll(ctx, "u1")
	if err != nil || n != 2 {
		t.Fatalf("RevokeAll = %d, %v", n, err)
	}
}
