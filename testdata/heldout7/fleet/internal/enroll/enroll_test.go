package enroll_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/fleet/internal/enroll"
	"example.com/fleet/internal/store/memstore"
	"example.com/fleet/internal/tokens"
)

func newService() (*enroll.Service, *tokens.Issuer) {
	s := memstore.New()
	iss := tokens.NewIssuer(s, 24*time.Hour)
	return enroll.NewService(s, iss), iss
}

func TestRedeem(t *testing.T) {
	ctx := context.Background()
	svc, iss := newService()
	code, err := svc.CreateCode(ctx, "acme", "ops@example.com")
	if err != nil {
		t.Fatal(err)
	}
	res, err := svc.Redeem(ctx, "192.0.2.1", code, "sn-001", "th-2")
	if err != nil {
		t.Fatal(err)
	}
	rec, err := iss.Verify(ctx, res.Token)
	if err != nil {
		t.Fatalf("issued token does not verify: %v", err)
	}
	if rec.DeviceID != res.DeviceID || rec.Tenant != "acme" {
		t.Fatalf("record = %+v", rec)
	}
	if _, err := svc.Redeem(ctx, "192.0.2.1", code, "sn-002", "th-2"); !errors.Is(err, enroll.ErrBadCode) {
		t.Fatalf("second redeem: %v", err)
	}
}

func TestSerialEnrolledOnce(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService()
	c1, _ := svc.CreateCode(ctx, "acme", "ops")
	c2, _ := svc.CreateCode(ctx, "acme", "ops")
	if _, err := svc.Redeem(ctx, "192.0.2.1", c1, "sn-9", "th-2"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Redeem(ctx, "192.0.2.1", c2, "SN-9", "th-2"); !errors.Is(err, enroll.ErrAlreadyEnrolled) {
		t.Fatalf("got %v", err)
	}
}

func TestAttemptsThrottled(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService()
	var err error
	for range 11 {
		_, err = svc.Redeem(ctx, "198.51.100.7", "nope", "sn", "m")
	}
	if !errors.Is(err, enroll.ErrTooManyAttempts) {
		t.Fatalf("got %v", err)
	}
}
