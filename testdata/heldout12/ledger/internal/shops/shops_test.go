package shops

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/ledger/internal/storage/memstore"
)

func TestEnrollRenameQuota(t *testing.T) {
	ctx := context.Background()
	d := NewDirectory(memstore.New())
	s, err := d.Enroll(ctx, "  Corner Bakery ")
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "Corner Bakery" || s.PointsPerDollar != 10 {
		t.Fatalf("enrolled %+v", s)
	}
	if s, err = d.Rename(ctx, s.ID, "Corner Bakery & Cafe"); err != nil || s.Name != "Corner Bakery & Cafe" {
		t.Fatalf("rename: %+v %v", s, err)
	}
	s.MonthlyQuota = 2
	for i := range 3 {
		err := d.ConsumeQuota(ctx, s)
		if i < 2 && err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		if i == 2 && !errors.Is(err, ErrQuotaExceeded) {
			t.Fatalf("expected quota error, got %v", err)
		}
	}
	ids, next, err := d.Page(ctx, "", 10)
	if err != nil || len(ids) != 1 || next != "" {
		t.Fatalf("page: %v %q %v", ids, next, err)
	}
}

func TestSetCampaignRejectsPast(t *testing.T) {
	d := NewDirectory(memstore.New())
	err := d.SetCampaign(context.Background(), "s1", Campaign{Headline: "x", EndsAt: time.Now().Add(-time.Hour)})
	if err == nil {
		t.Fatal("expected error")
	}
}
