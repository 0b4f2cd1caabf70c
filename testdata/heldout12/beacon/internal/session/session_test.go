package session

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/beacon/internal/kvstore/memkv"
)

type fakeDirectory struct{ users map[string]User }

func (f fakeDirectory) Authenticate(_ context.Context, email, password string) (User, error) {
	if u, ok := f.users[email]; ok && password == "correct horse" {
		return u, nil
	}
	return User{}, ErrBadCredentials
}

func (f fakeDirectory) Lookup(_ context.Context, id string) (User, error) {
	for _, u := range f.users {
		if u.ID == id {
			return u, nil
		}
	}
	return User{}, errors.New("no such user")
}

type fakeMailer struct{ last string }

func (m *fakeMailer) SendCode(_ context.Context, _, code string) error {
	m.last = code
	return nil
}

func TestSessionLifecycle(t *testing.T) {
	ctx := context.Background()
	m := NewManager(memkv.New(), time.Hour, 10*time.Minute)
	s, err := m.Create(ctx, User{ID: "u1", Email: "a@example.com", TenantID: "t1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Validate(ctx, s.ID); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	if err := m.Touch(ctx, s.ID); err != nil {
		t.Fatalf("Touch: %v", err)
	}
	if err := m.Logout(ctx, s.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Validate(ctx, s.ID); !errors.Is(err, ErrNoSession) {
		t.Fatalf("after logout err = %v", err)
	}
}

func TestTwoStepLogin(t *testing.T) {
	ctx := context.Background()
	store := memkv.New()
	mail := &fakeMailer{}
	a := &Authenticator{
		Store:       store,
		Sessions:    NewManager(store, time.Hour, 10*time.Minute),
		Users:       fakeDirectory{users: map[string]User{"a@example.com": {ID: "u1", Email: "a@example.com"}}},
		Mail:        mail,
		MaxAttempts: 2,
	}
	for range 2 {
		if _, err := a.CheckPassword(ctx, "a@example.com", "wrong"); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("wrong password err = %v", err)
		}
	}
	if _, err := a.CheckPassword(ctx, "A@example.com", "correct horse"); !errors.Is(err, ErrLockedOut) {
		t.Fatalf("expected lockout, got %v", err)
	}

	a.MaxAttempts = 10
	challenge, err := a.CheckPassword(ctx, "a@example.com", "correct horse")
	if err != nil || mail.last == "" {
		t.Fatalf("CheckPassword = %q, %v (code %q)", challenge, err, mail.last)
	}
	if _, err := a.VerifyCode(ctx, challenge, "000000x"); !errors.Is(err, ErrBadCode) {
		t.Fatalf("bad code err = %v", err)
	}
	s, err := a.VerifyCode(ctx, challenge, mail.last)
	if err != nil || s.UserID != "u1" {
		t.Fatalf("VerifyCode = %+v, %v", s, err)
	}
	if _, err := a.VerifyCode(ctx, challenge, mail.last); !errors.Is(err, ErrBadCode) {
		t.Fatalf("code reuse err = %v", err)
	}
}

func TestRefreshRotation(t *testing.T) {
	ctx := context.Background()
	store := memkv.New()
	users := fakeDirectory{users: map[string]User{"a@example.com": {ID: "u1"}}}
	r := NewRefresher(store, time.Hour, NewManager(store, time.Hour, time.Hour), users)
	first := RefreshToken{ID: "r1", UserID: "u1", IssuedAt: time.Now()}
	if err := r.tokens.Save(ctx, first); err != nil {
		t.Fatal(err)
	}
	_, next, err := r.Rotate(ctx, "r1")
	if err != nil || next.ID == "" {
		t.Fatalf("Rotate = %+v, %v", next, err)
	}
	if _, _, err := r.Rotate(ctx, "r1"); !errors.Is(err, ErrRefreshReused) {
		t.Fatalf("reuse err = %v", err)
	}
}
