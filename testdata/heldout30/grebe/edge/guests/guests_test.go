package guests

import (
	"context"
	"errors"
	"testing"

	"example.com/grebe/internal/config"
	"example.com/grebe/internal/domain"
	"example.com/grebe/internal/store/memstore"
)

type fakeCodes struct{ revoked int }

func (f *fakeCodes) Issue(_ context.Context, site domain.SiteID, m domain.MemberID) (domain.DoorCode, error) {
	return domain.DoorCode{Code: "42424242", Site: site, Member: m}, nil
}

func (f *fakeCodes) Revoke(domain.SiteID, string) error { f.revoked++; return nil }

type fakeNotifier struct {
	invited   []string
	arriveErr error
}

func (n *fakeNotifier) GuestInvited(_ context.Context, to string, _ []byte) error {
	n.invited = append(n.invited, to)
	return nil
}

func (n *fakeNotifier) GuestArrived(context.Context, domain.MemberID, string) error {
	return n.arriveErr
}

func TestInviteQuotaAndArrival(t *testing.T) {
	cfg, err := config.Load()
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxInvitesPerMonth = 1
	codes, notes := &fakeCodes{}, &fakeNotifier{arriveErr: errors.New("push failed")}
	b := New(memstore.New(), cfg, codes, notes)
	sc := b.For("m1")
	ctx := context.Background()
	inv, err := sc.Invite(ctx, domain.GuestInvite{GuestEmail: "g@example.com", GuestName: "Grace", Site: "ams-1", Day: "2030-01-02"}, "Ada", "Amsterdam Canal")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sc.Invite(ctx, domain.GuestInvite{GuestEmail: "h@example.com"}, "Ada", "x"); !errors.Is(err, domain.ErrQuotaExceeded) {
		t.Fatalf("want quota error, got %v", err)
	}
	if _, err := sc.Arrive(ctx, inv.ID); err == nil || codes.revoked != 1 {
		t.Fatalf("want compensated failure, got %v (revoked %d)", err, codes.revoked)
	}
}
