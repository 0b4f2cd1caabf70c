package tickets

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"example.com/lantern/internal/config"
	"example.com/lantern/internal/store"
	"example.com/lantern/internal/store/memstore"
)

func newPurchase(m *memstore.Store) *Purchase {
	n := 0
	return &Purchase{
		Store:   m,
		Deleter: m,
		Coupons: &CouponBook{Store: m, Clock: time.Now},
		NewID:   func() string { n++; return fmt.Sprint("t", n) },
		Clock:   time.Now,
	}
}

func TestPurchaseWithCoupon(t *testing.T) {
	ctx := context.Background()
	m := memstore.New()
	p := newPurchase(m)
	_ = m.Put(ctx, "coupon:EARLY", []byte(`{"code":"EARLY","percent_off":25,"max_uses":1}`), store.PutOptions{})
	tk, err := p.Execute(ctx, PurchaseCmd{EventID: "e1", UserID: "u1", PriceCents: 2000, CouponCode: "EARLY", Plan: config.PlanPro})
	if err != nil || tk.PriceCents != 1500 {
		t.Fatalf("%+v %v", tk, err)
	}
	if _, err := p.Execute(ctx, PurchaseCmd{EventID: "e1", UserID: "u2", PriceCents: 2000, CouponCode: "early"}); !errors.Is(err, ErrCouponExhausted) {
		t.Fatalf("second: %v", err)
	}
	for _, k := range m.Keys() {
		if strings.HasPrefix(k, "hold:e1:t2") {
			t.Fatalf("hold %s left behind", k)
		}
	}
}

func TestCartSelect(t *testing.T) {
	ctx := context.Background()
	c := NewCarts(memstore.New(), time.Now)
	if _, err := c.Select(ctx, "u1", "e1", "ga", 2); err != nil {
		t.Fatal(err)
	}
	cart, err := c.Select(ctx, "u1", "e1", "vip", 1)
	if err != nil || cart.TierID != "vip" || cart.Quantity != 1 {
		t.Fatalf("%+v %v", cart, err)
	}
	if _, err := c.Select(ctx, "u1", "e1", "vip", 0); !errors.Is(err, ErrBadQuantity) {
		t.Fatalf("qty 0: %v", err)
	}
}
