package enrol

import (
	"context"
	"errors"
	"testing"

	"example.com/academy/internal/kvstore/memkv"
)

type seats int

func (n seats) Purchased(context.Context, string) (int, error) { return int(n), nil }

func TestChargeSeatAndProfile(t *testing.T) {
	ctx := context.Background()
	s := &Service{store: memkv.New(), seats: seats(2)}
	for range 2 {
		if err := s.chargeSeat(ctx, "org-1"); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.chargeSeat(ctx, "org-1"); !errors.Is(err, ErrNoSeats) {
		t.Fatalf("want ErrNoSeats, got %v", err)
	}
	p, err := s.profile(ctx, "ada", "org-1")
	if err != nil || p.OrgID != "org-1" {
		t.Fatalf("profile = %+v, %v", p, err)
	}
	again, err := s.profile(ctx, "ada", "org-2")
	if err != nil || !again.Since.Equal(p.Since) {
		t.Fatalf("profile re-seeded: %+v, %v", again, err)
	}
}
