package users

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"example.com/community/internal/store/memstore"
)

type captureMail struct{ last string }

func (m *captureMail) Send(_ context.Context, _, _, body string) error {
	m.last = body
	return nil
}

type revoker struct{ revoked []string }

func (r *revoker) RevokeAll(_ context.Context, uid string) error {
	r.revoked = append(r.revoked, uid)
	return nil
}

func newTestService() (*Service, *captureMail, *revoker) {
	mail, rev := &captureMail{}, &revoker{}
	svc := NewService(memstore.New(), mail, rev, Config{
		VerifyCodeTTL:     10 * time.Minute,
		VerifyMaxAttempts: 3,
		AttemptWindow:     time.Hour,
		PasswordIter:      10,
	})
	return svc, mail, rev
}

func TestSignupAndVerify(t *testing.T) {
	ctx := context.Background()
	svc, mail, _ := newTestService()
	u, err := svc.Signup(ctx, SignupInput{Handle: "Ada_L", Email: "ada@example.com", Password: "correct horse"})
	if err != nil {
		t.Fatal(err)
	}
	if u.Handle != "ada_l" {
		t.Fatalf("handle = %q", u.Handle)
	}
	if _, err := svc.Signup(ctx, SignupInput{Handle: "ada_l", Email: "x@example.com", Password: "whatever1"}); !errors.Is(err, ErrHandleTaken) {
		t.Fatalf("want ErrHandleTaken, got %v", err)
	}
	if err := svc.Verify(ctx, u.ID, "000000x"); !errors.Is(err, ErrBadCode) {
		t.Fatalf("want ErrBadCode, got %v", err)
	}
	code := strings.TrimPrefix(mail.last, "Your code is ")
	if err := svc.Verify(ctx, u.ID, code); err != nil {
		t.Fatal(err)
	}
	got, _ := svc.Get(ctx, u.ID)
	if !got.Verified {
		t.Fatal("not verified")
	}
	if err := svc.Verify(ctx, u.ID, code); !errors.Is(err, ErrCodeExpired) {
		t.Fatalf("code reused: %v", err)
	}
}

func TestVerifyAttemptsLimited(t *testing.T) {
	ctx := context.Background()
	svc, _, _ := newTestService()
	u, err := svc.Signup(ctx, SignupInput{Handle: "bob", Email: "bob@example.com", Password: "hunter2hunter2"})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		_ = svc.Verify(ctx, u.ID, "nope")
	}
	if err := svc.Verify(ctx, u.ID, "nope"); !errors.Is(err, ErrTooManyAttempts) {
		t.Fatalf("want ErrTooManyAttempts, got %v", err)
	}
}

func TestSetPasswordRevokesSessions(t *testing.T) {
	ctx := context.Background()
	svc, _, rev := newTestService()
	u, err := svc.Signup(ctx, SignupInput{Handle: "cyd", Email: "cy@example.com", Password: "first-password"})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.SetPassword(ctx, u.ID, "second-password"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authenticate(ctx, "cyd", "second-password"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authenticate(ctx, "cyd", "first-password"); !errors.Is(err, ErrBadCredentials) {
		t.Fatalf("old password accepted: %v", err)
	}
	if len(rev.revoked) != 1 || rev.revoked[0] != u.ID {
		t.Fatalf("revoked = %v", rev.revoked)
	}
}
