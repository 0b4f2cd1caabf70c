package points

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/ledger/internal/config"
	"example.com/ledger/internal/storage/memstore"
)

func newService() (*Service, *memstore.Store) {
	st := memstore.New()
	return New(st, config.Points{PerDollar: 10, QuoteWindow: 2 * time.Minute, StatementDays: 30}), st
}

func TestEarnAndRedeem(t *testing.T) {
	ctx := context.Background()
	s, _ := newService()
	a, err := s.Earn(ctx, "s1", "c1", 1250, "order-1")
	if err != nil {
		t.Fatal(err)
	}
	if a.Balance != 125 || a.Lifetime != 125 {
		t.Fatalf("after earn: %+v", a)
	}
	if _, err := s.Redeem(ctx, "s1", "c1", 500, "q1"); !errors.Is(err, ErrInsufficient) {
		t.Fatalf("redeem too much: %v", err)
	}
	a, err = s.Redeem(ctx, "s1", "c1", 100, "q2")
	if err != nil || a.Balance != 25 {
		t.Fatalf("after redeem: %+v, %v", a, err)
	}
}

func TestStatementLimit(t *testing.T) {
	ctx := context.Background()
	s, _ := newService()
	base := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	for i := range 5 {
		s.now = func() time.Time { return base.Add(time.Duration(i) * time.Minute) }
		if _, err := s.Earn(ctx, "s1", "c1", 100, ""); err != nil {
			t.Fatal(err)
		}
	}
	txns, err := s.Statement(ctx, "s1", "c1", 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(txns) != 3 || !txns[0].At.Before(txns[1].At) {
		t.Fatalf("statement = %+v", txns)
	}
}

func TestBalanceMissing(t *testing.T) {
	s, _ := newService()
	if _, err := s.Balance(context.Background(), "s1", "nobody"); !errors.Is(err, ErrNoAccount) {
		t.Fatalf("err = %v", err)
	}
}
