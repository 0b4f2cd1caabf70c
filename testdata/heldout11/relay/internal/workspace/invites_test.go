package workspace

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/relay/internal/cfns"
	"example.com/relay/internal/store/memstore"
)

func TestInviteRedeem(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	svc := New(st, cfns.Namespace{}, time.Hour)
	if err := st.Put(ctx, wsKey("ws_1"), []byte(`{"id":"ws_1","members":1}`)); err != nil {
		t.Fatal(err)
	}
	inv, err := svc.Invite(ctx, "ws_1", "u_owner", "Ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Redeem(ctx, inv.Code, "u_ada", "bob@example.com"); !errors.Is(err, ErrInviteInvalid) {
		t.Fatalf("wrong address: got %v", err)
	}
	ws, err := svc.Redeem(ctx, inv.Code, "u_ada", "ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if ws.Members != 2 {
		t.Fatalf("members = %d, want 2", ws.Members)
	}
	if _, err := svc.Redeem(ctx, inv.Code, "u_ada", "ada@example.com"); !errors.Is(err, ErrInviteInvalid) {
		t.Fatalf("second use: got %v", err)
	}
}

func TestInviteUntilRejectsPast(t *testing.T) {
	svc := New(memstore.New(), cfns.Namespace{}, time.Hour)
	if _, err := svc.InviteUntil(context.Background(), "ws_1", "u", "", time.Now().Add(-time.Minute)); !errors.Is(err, ErrInviteInvalid) {
		t.Fatalf("got %v", err)
	}
}
