package tenant

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strconv"
	"testing"
	"time"

	"example.com/edgeconf/internal/storage"
)

func newTestService(t *testing.T) (*Service, *storage.Memory) {
	t.Helper()
	mem := storage.NewMemory()
	svc := NewService(mem, DefaultConfig(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	n := 0
	svc.newID = func() string { n++; return "id" + strconv.Itoa(n) }
	return svc, mem
}

func TestSignupClaimsSubdomain(t *testing.T) {
	ctx := context.Background()
	svc, _ := newTestService(t)

	ten, token, err := svc.Signup(ctx, SignupRequest{RequestID: "r1", Name: "Acme", Subdomain: "Acme", Email: "Ops@acme.test", ClientIP: "203.0.113.9"})
	if err != nil {
		t.Fatalf("signup: %v", err)
	}
	if ten.Subdomain != "acme" || token == "" {
		t.Fatalf("unexpected tenant %+v token %q", ten, token)
	}
	_, _, err = svc.Signup(ctx, SignupRequest{RequestID: "r2", Name: "Other", Subdomain: "acme", Email: "x@y.test", ClientIP: "198.51.100.1"})
	if !errors.Is(err, ErrSubdomainTaken) {
		t.Fatalf("second claim: got %v, want ErrSubdomainTaken", err)
	}
}

func TestSignupThrottle(t *testing.T) {
	ctx := context.Background()
	svc, mem := newTestService(t)
	// Pretend the address already used its budget.
	if err := mem.Set(ctx, "signup-attempts:192.0.2.7", []byte("5"), time.Second); err != nil {
		t.Fatal(err)
	}
	_, _, err := svc.Signup(ctx, SignupRequest{RequestID: "r", Subdomain: "fresh", Email: "a@b.test", ClientIP: "192.0.2.7"})
	if !errors.Is(err, ErrTooManySignups) {
		t.Fatalf("got %v, want ErrTooManySignups", err)
	}
}

func TestVerifyAndResolve(t *testing.T) {
	ctx := context.Background()
	svc, _ := newTestService(t)
	ten, token, err := svc.Signup(ctx, SignupRequest{RequestID: "r", Subdomain: "shop", Email: "a@shop.test"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Verify(ctx, token); err != nil {
		t.Fatalf("verify: %v", err)
	}
	if _, err := svc.Verify(ctx, token); !errors.Is(err, ErrTokenInvalid) {
		t.Fatalf("token reuse: got %v", err)
	}
	got, err := svc.ResolveHost(ctx, "shop.edgeconf.app")
	if err != nil || got.ID != ten.ID || !got.Verified {
		t.Fatalf("resolve: %+v %v", got, err)
	}
}

func TestInviteExpiry(t *testing.T) {
	ctx := context.Background()
	svc, mem := newTestService(t)
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	svc.now = func() time.Time { return now }
	mem.WithClock(func() time.Time { return now })

	inv, err := svc.Invite(ctx, "t1", "new@acme.test", "editor", now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	now = now.Add(2 * time.Hour)
	if _, err := svc.AcceptInvite(ctx, inv.Code); !errors.Is(err, ErrInviteInvalid) {
		t.Fatalf("expired invite accepted: %v", err)
	}
}
