package auth

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"example.com/clinic/internal/keys"
	"example.com/clinic/internal/kvstore/cfkv"
	"example.com/clinic/internal/kvstore/memkv"
)

func TestAuthenticateAndLogout(t *testing.T) {
	ctx := context.Background()
	store := memkv.New()
	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	svc := New(store, cfkv.Namespace{}, nil, time.Hour, 24*time.Hour, WithClock(func() time.Time { return now }))
	b, _ := json.Marshal(Session{ID: "s1", PatientID: "p1", ExpiresAt: now.Add(time.Hour)})
	_ = store.Put(ctx, keys.SessionPrefix+"s1", b)

	sess, err := svc.Authenticate(ctx, "s1")
	if err != nil || sess.PatientID != "p1" {
		t.Fatalf("Authenticate = %+v, %v", sess, err)
	}
	if err := svc.Logout(ctx, "s1"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authenticate(ctx, "s1"); !errors.Is(err, ErrUnauthenticated) {
		t.Fatalf("after logout: %v", err)
	}
}
