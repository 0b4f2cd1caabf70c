package auth

import (
	"context"
	"errors"
	"testing"

	"example.com/storefront/internal/config"
	"example.com/storefront/internal/kvstore/memkv"
)

type captureMailer struct{ code string }

func (m *captureMailer) SendOTP(_ context.Context, _, code string) error {
	m.code = code
	return nil
}

func TestOTPRoundTrip(t *testing.T) {
	ctx := context.Background()
	mail := &captureMailer{}
	svc := NewOTPService(memkv.New(), config.Default().Auth, mail, []byte("pepper"))
	if err := svc.Start(ctx, "Ada@Example.com"); err != nil {
		t.Fatal(err)
	}
	if err := svc.Verify(ctx, "ada@example.com", "000000x"); !errors.Is(err, ErrCodeInvalid) {
		t.Fatalf("wrong code: %v", err)
	}
	if err := svc.Verify(ctx, "ada@example.com", mail.code); err != nil {
		t.Fatalf("right code: %v", err)
	}
	if err := svc.Verify(ctx, "ada@example.com", mail.code); !errors.Is(err, ErrCodeExpired) {
		t.Fatalf("reused code: %v", err)
	}
}

func TestProfileCreatedOnce(t *testing.T) {
	ctx := context.Background()
	p := NewProfiles(memkv.New(), "en-GB")
	first, err := p.LoadOrCreate(ctx, "c_1", "a@example.com")
	if err != nil {
		t.Fatal(err)
	}
	again, err := p.LoadOrCreate(ctx, "c_1", "a@example.com")
	if err != nil || !again.CreatedAt.Equal(first.CreatedAt) {
		t.Fatalf("profile recreated: %+v %v", again, err)
	}
}
