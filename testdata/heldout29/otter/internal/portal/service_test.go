package portal

import (
	"context"
	"encoding/json"
	"log/slog"
	"testing"

	"example.com/otter/internal/kvport"
	"example.com/otter/internal/kvport/memkv"
)

// fakeSessions is an in-memory Sessions.
type fakeSessions struct {
	m     map[string][]byte
	saves int
}

func (f *fakeSessions) Create(_ context.Context, data []byte) (string, error) {
	id := newSessionID()
	f.m[id] = data
	return id, nil
}

func (f *fakeSessions) Lookup(_ context.Context, id string) ([]byte, error) {
	if v, ok := f.m[id]; ok {
		return v, nil
	}
	return nil, kvport.ErrNotFound
}

func (f *fakeSessions) Save(_ context.Context, id string, data []byte) error {
	f.saves++
	f.m[id] = data
	return nil
}

func (f *fakeSessions) Revoke(_ context.Context, id string) error {
	delete(f.m, id)
	return nil
}

func TestMagicLinkFlow(t *testing.T) {
	ctx := context.Background()
	var mailed string
	sessions := &fakeSessions{m: map[string][]byte{}}
	s := NewService(Deps{
		Sessions: sessions,
		Magic:    memkv.NewOpener().Open("magic"),
		Activity: memkv.New(),
		Mail:     func(_ context.Context, _, _, body string) error { mailed = body; return nil },
		Dir: func(context.Context, string, string) ([]string, error) {
			return []string{"cus_1", "cus_2"}, nil
		},
		BaseURL: "https://portal.test",
		Log:     slog.Default(),
	})
	if _, err := s.RequestLink(ctx, LinkRequest{Email: "a@b.c", Tenant: "t1"}); err != nil || mailed == "" {
		t.Fatalf("request link: %v", err)
	}
	raw, err := s.Magic.List(ctx, kvport.ListQuery{})
	if err != nil || len(raw.Keys) != 1 {
		t.Fatalf("magic tokens: %+v, %v", raw, err)
	}
	id, err := s.Redeem(ctx, raw.Keys[0].Name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Redeem(ctx, raw.Keys[0].Name); err != ErrInvalidLink {
		t.Fatalf("second redeem: %v", err)
	}
	sess, err := s.SwitchCustomer(ctx, id, "cus_2")
	if err != nil || sess.ActiveCustomer != "cus_2" {
		t.Fatalf("switch: %+v, %v", sess, err)
	}
	var stored Session
	_ = json.Unmarshal(sessions.m[id], &stored)
	if stored.ActiveCustomer != "cus_2" || sessions.saves != 1 {
		t.Fatalf("stored session %+v after %d saves", stored, sessions.saves)
	}
}
