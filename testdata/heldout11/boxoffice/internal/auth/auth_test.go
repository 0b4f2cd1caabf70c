package auth

import (
	"context"
	"errors"
	"testing"

	"example.com/boxoffice/internal/config"
	"example.com/boxoffice/internal/kvops"
	"example.com/boxoffice/internal/storage"
	"example.com/boxoffice/internal/storage/memstore"
)

type fakeMailer struct{ last string }

func (m *fakeMailer) SendCode(_ context.Context, _, code string) error {
	m.last = code
	return nil
}

// opsOver exposes a memstore through a kvops table the way the Worker's
// binding does, reporting misses as kvops.Missing.
func opsOver(st *memstore.Store) kvops.Ops {
	return kvops.Ops{
		Get: func(ctx context.Context, key string) (string, error) {
			b, err := st.Get(ctx, key)
			if errors.Is(err, storage.ErrNotFound) {
				return kvops.Missing, nil
			}
			return string(b), err
		},
		Put: func(ctx context.Context, key, value string, _ int) error {
			return st.Put(ctx, key, []byte(value))
		},
		Delete: st.Delete,
	}
}

func newService() (*Service, *fakeMailer) {
	st := memstore.New()
	m := &fakeMailer{}
	cfg := config.Defaults()
	cfg.MaxLoginTries = 2
	return New(st, opsOver(st), m, cfg), m
}

func TestLoginFlow(t *testing.T) {
	ctx := context.Background()
	svc, mail := newService()
	login, err := svc.StartLogin(ctx, "Org@Example.com", "org1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.VerifyLogin(ctx, login, "000000x"); !errors.Is(err, ErrBadCode) {
		t.Fatalf("wrong code: %v", err)
	}
	sess, err := svc.VerifyLogin(ctx, login, mail.last)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if sess.OrgID != "org1" || sess.Email != "org@example.com" {
		t.Fatalf("session = %+v", sess)
	}
	if _, err := svc.VerifyLogin(ctx, login, mail.last); !errors.Is(err, ErrBadCode) {
		t.Fatalf("code reused: %v", err)
	}
	if _, err := svc.Session(ctx, sess.ID); err != nil {
		t.Fatalf("session lookup: %v", err)
	}
	if err := svc.Logout(ctx, sess.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Session(ctx, sess.ID); !errors.Is(err, ErrNoSession) {
		t.Fatalf("after logout: %v", err)
	}
}

func TestLockAfterWrongCodes(t *testing.T) {
	ctx := context.Background()
	svc, mail := newService()
	login, _ := svc.StartLogin(ctx, "a@b.c", "org")
	for i := 0; i < 2; i++ {
		_, _ = svc.VerifyLogin(ctx, login, "bad")
	}
	if _, err := svc.VerifyLogin(ctx, login, mail.last); !errors.Is(err, ErrLocked) {
		t.Fatalf("want ErrLocked, got %v", err)
	}
}

func TestAPIKeys(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService()
	secret, err := svc.CreateAPIKey(ctx, "org7", "box office sync")
	if err != nil {
		t.Fatal(err)
	}
	k, err := svc.LookupAPIKey(ctx, secret)
	if err != nil || k.OrgID != "org7" {
		t.Fatalf("lookup = %+v, %v", k, err)
	}
	if _, err := svc.LookupAPIKey(ctx, "sk_live_x"); !errors.Is(err, ErrBadKey) {
		t.Fatalf("foreign key: %v", err)
	}
}
