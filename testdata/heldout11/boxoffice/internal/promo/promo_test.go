package promo

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/boxoffice/internal/storage/memstore"
)

func TestCreateAndRedeem(t *testing.T) {
	ctx := context.Background()
	svc := New(memstore.New())
	p := Promo{Code: "early-bird", EventID: "ev1", PercentOff: 20, MaxUses: 2, ValidUntil: time.Now().Add(48 * time.Hour)}
	if err := svc.Create(ctx, p); err != nil {
		t.Fatalf("create: %v", err)
	}
	if err := svc.Create(ctx, p); !errors.Is(err, ErrExists) {
		t.Fatalf("duplicate create: %v", err)
	}
	for i := 0; i < 2; i++ {
		pct, err := svc.Redeem(ctx, "ev1", "EARLY-BIRD")
		if err != nil || pct != 20 {
			t.Fatalf("redeem %d: %d, %v", i, pct, err)
		}
	}
	if _, err := svc.Redeem(ctx, "ev1", "early-bird"); !errors.Is(err, ErrExhausted) {
		t.Fatalf("third redeem: %v", err)
	}
	if _, err := svc.Redeem(ctx, "ev1", "nope"); !errors.Is(err, ErrUnknown) {
		t.Fatalf("unknown code: %v", err)
	}
	codes, err := svc.Codes(ctx, "ev1")
	if err != nil || len(codes) != 1 || codes[0] != "EARLY-BIRD" {
		t.Fatalf("codes = %v, %v", codes, err)
	}
}

func TestValidate(t *testing.T) {
	now := time.Now()
	cases := []Promo{
		{Code: "x", PercentOff: 10, ValidUntil: now.Add(time.Hour)},
		{Code: "SUMMER", PercentOff: 0, ValidUntil: now.Add(time.Hour)},
		{Code: "SUMMER", PercentOff: 10, ValidUntil: now.Add(-time.Hour)},
	}
	for _, c := range cases {
		var invalid *InvalidCodeError
		if err := Validate(c, now); !errors.As(err, &invalid) {
			t.Errorf("Validate(%+v) = %v, want InvalidCodeError", c, err)
		}
	}
}
