package tenants

import (
	"context"
	"errors"
	"testing"

	"example.com/gateway/internal/store/memstore"
)

func TestClaim(t *testing.T) {
	ctx := context.Background()
	svc := NewService(memstore.New())
	if err := svc.UpdateSettings(ctx, Settings{DefaultPlan: "team"}); err != nil {
		t.Fatal(err)
	}
	got, err := svc.Claim(ctx, "acme", "Acme Inc")
	if err != nil {
		t.Fatal(err)
	}
	if got.Plan != "team" {
		t.Errorf("plan = %q, want team", got.Plan)
	}
	if _, err := svc.Claim(ctx, "acme", "Other"); !errors.Is(err, ErrSlugTaken) {
		t.Errorf("second claim: %v", err)
	}
	if _, err := svc.Claim(ctx, "A!", "Bad"); !errors.Is(err, ErrInvalidSlug) {
		t.Errorf("bad slug: %v", err)
	}
}
