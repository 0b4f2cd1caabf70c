package promo

import (
	"context"
	"testing"
	"time"

	"example.com/thistle/internal/clock"
	"example.com/thistle/internal/config"
	"example.com/thistle/internal/memstore"
)

func TestRedeemCap(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewManual(time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC))
	cfg, _ := config.Parse(nil)
	svc := New(memstore.New(memstore.WithClock(clk)), clk, cfg)
	err := svc.Create(ctx, Code{Code: "spring", Kind: KindPercent, Percent: 20, MaxUses: 1, StartsAt: clk.Now(), EndsAt: clk.Now().AddDate(0, 0, 14)})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Redeem(ctx, "SPRING"); err != nil {
		t.Fatal(err)
	}
	if err := svc.Redeem(ctx, "spring"); err != ErrExhausted {
		t.Fatalf("second redeem: %v", err)
	}
}
