package invites

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/tundra/internal/storage/memkv"
)

func TestCreateAndRedeem(t *testing.T) {
	ctx := context.Background()
	st := memkv.New()
	now := time.Now()
	clock := func() time.Time { return now }

	inv, err := CreateInvite{Invites: KVInvites{Store: st}, Clock: clock}.Execute(ctx, CreateCommand{
		PartnerID: "acme", Email: "Ops@Acme.example", Role: "admin", ExpiresAt: now.Add(72 * time.Hour),
	})
	if err != nil {
		t.Fatal(err)
	}

	redeem := RedeemInvite{Invites: KVInvites{Store: st}, Members: KVMembers{Store: st}, Clock: clock}
	m, err := redeem.Execute(ctx, RedeemCommand{Code: inv.Code, Email: "ops@acme.example"})
	if err != nil {
		t.Fatal(err)
	}
	if m.Role != "admin" || m.PartnerID != "acme" {
		t.Fatalf("membership = %+v", m)
	}
	if _, err := redeem.Execute(ctx, RedeemCommand{Code: inv.Code, Email: "ops@acme.example"}); !errors.Is(err, ErrAlreadyRedeemed) {
		t.Fatalf("second redeem: %v", err)
	}
}

func TestRedeemWrongEmail(t *testing.T) {
	ctx := context.Background()
	st := memkv.New()
	now := time.Now()
	clock := func() time.Time { return now }
	inv, _ := CreateInvite{Invites: KVInvites{Store: st}, Clock: clock}.Execute(ctx, CreateCommand{
		PartnerID: "acme", Email: "a@acme.example", Role: "viewer", ExpiresAt: now.Add(time.Hour),
	})
	redeem := RedeemInvite{Invites: KVInvites{Store: st}, Members: KVMembers{Store: st}, Clock: clock}
	if _, err := redeem.Execute(ctx, RedeemCommand{Code: inv.Code, Email: "b@acme.example"}); !errors.Is(err, ErrWrongRecipient) {
		t.Fatalf("err = %v", err)
	}
}
