package session

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"example.com/estuary/internal/config"
	"example.com/estuary/internal/kvstore/memkv"
)

func newManager(t *testing.T) (*Manager, *time.Time) {
	t.Helper()
	cfg, err := config.Load(writeConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	store := memkv.New()
	store.Now = func() time.Time { return now }
	m := New(store, cfg.Session, cfg.Keys)
	m.now = func() time.Time { return now }
	return m, &now
}

func writeConfig(t *testing.T) string {
	t.Helper()
	path := t.TempDir() + "/estuary.json"
	const body = `{"cloudflare":{"accountID":"acc","namespaces":{"Config":"c","Sessions":"s"}}}`
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCreateLoadEnd(t *testing.T) {
	ctx := context.Background()
	m, _ := newManager(t)
	rec, err := m.Create(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	got, err := m.Load(ctx, rec.ID)
	if err != nil || got.Account != "acme" {
		t.Fatalf("Load = %+v, %v", got, err)
	}
	if err := m.End(ctx, got); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Load(ctx, rec.ID); !errors.Is(err, ErrNoSession) {
		t.Fatalf("after End: %v, want ErrNoSession", err)
	}
}

func TestIdleTimeout(t *testing.T) {
	ctx := context.Background()
	m, now := newManager(t)
	rec, _ := m.Create(ctx, "acme")
	*now = now.Add(m.cfg.Idle.Std() + time.Second)
	if _, err := m.Load(ctx, rec.ID); !errors.Is(err, ErrNoSession) {
		t.Fatalf("idle session loaded: %v", err)
	}
}

func TestRevokeAll(t *testing.T) {
	ctx := context.Background()
	m, now := newManager(t)
	old, _ := m.Create(ctx, "acme")
	*now = now.Add(time.Minute)
	if err := m.RevokeAll(ctx, "acme"); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Load(ctx, old.ID); !errors.Is(err, ErrNoSession) {
		t.Fatalf("revoked session loaded: %v", err)
	}
	*now = now.Add(time.Minute)
	fresh, _ := m.Create(ctx, "acme")
	if _, err := m.Load(ctx, fresh.ID); err != nil {
		t.Fatalf("new session after revoke: %v", err)
	}
}

func TestRotate(t *testing.T) {
	ctx := context.Background()
	m, _ := newManager(t)
	rec, _ := m.Create(ctx, "acme")
	tok, err := m.IssueRefresh(ctx, rec)
	if err != nil {
		t.Fatal(err)
	}
	next, tok2, err := m.Rotate(ctx, tok)
	if err != nil || next.Account != "acme" || tok2 == tok {
		t.Fatalf("Rotate = %v, %q, %v", next, tok2, err)
	}
	if _, _, err := m.Rotate(ctx, tok); !errors.Is(err, ErrNoSession) {
		t.Fatalf("reused refresh token: %v", err)
	}
}
