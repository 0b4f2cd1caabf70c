package pairing

import (
	"context"
	"errors"
	"testing"

	"example.com/juniper/internal/kvstore"
)

func TestIssueRedeem(t *testing.T) {
	mem := kvstore.NewMemory()
	s := Start(mem)
	defer s.Stop()
	ctx := context.Background()
	code, err := s.Issue(ctx, "v1", "Host stand", "mgr")
	if err != nil || len(code) != 6 {
		t.Fatalf("issue: %q %v", code, err)
	}
	dev, err := s.Redeem(ctx, code, "ipad-7")
	if err != nil || dev.VenueID != "v1" || dev.Token == "" {
		t.Fatalf("redeem: %+v %v", dev, err)
	}
	if _, err := s.Redeem(ctx, code, "ipad-8"); !errors.Is(err, ErrUnknownCode) {
		t.Fatalf("second redeem: %v", err)
	}
}
