package coupon

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"example.com/storefront/internal/kvstore/memkv"
)

type fakeDB map[string]Rules

func (f fakeDB) Rules(_ context.Context, code string) (Rules, error) {
	r, ok := f[code]
	if !ok {
		return Rules{}, ErrUnknown
	}
	return r, nil
}

func TestRedeemStopsAtMax(t *testing.T) {
	ctx := context.Background()
	svc := New(memkv.New(), fakeDB{"SPRING10": {Code: "SPRING10", PercentOff: 10, MaxUses: 2}})
	for i, order := range []string{"o1", "o2"} {
		if err := svc.Redeem(ctx, "spring10", order); err != nil {
			t.Fatalf("redeem %d: %v", i, err)
		}
	}
	if err := svc.Redeem(ctx, "spring10", "o3"); !errors.Is(err, ErrExhausted) {
		t.Fatalf("third redeem: %v", err)
	}
}

func TestClaimAndExport(t *testing.T) {
	ctx := context.Background()
	svc := New(memkv.New(), fakeDB{})
	if err := svc.Claim(ctx, "ANNA20", "aff-1"); err != nil {
		t.Fatal(err)
	}
	if err := svc.Claim(ctx, "anna20", "aff-2"); !errors.Is(err, ErrTaken) {
		t.Fatalf("second claim: %v", err)
	}
	var buf bytes.Buffer
	if err := svc.ExportClaims(ctx, &buf); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "ANNA20,aff-1") {
		t.Fatalf("export: %q", buf.String())
	}
}
