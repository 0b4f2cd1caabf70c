package invites

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/community/internal/store/memstore"
)

func TestRedeemUntilExhausted(t *testing.T) {
	ctx := context.Background()
	svc := NewService(memstore.New())
	inv, err := svc.Create(ctx, "admin", 2, 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if _, err := svc.Redeem(ctx, inv.Code); err != nil {
			t.Fatalf("redeem %d: %v", i, err)
		}
	}
	if _, err := svc.Redeem(ctx, inv.Code); !errors.Is(err, ErrExhausted) {
		t.Fatalf("want ErrExhausted, got %v", err)
	}
	if _, err := svc.Redeem(ctx, "nope"); !errors.Is(err, ErrUnknown) {
		t.Fatalf("want ErrUnknown, got %v", err)
	}
}
