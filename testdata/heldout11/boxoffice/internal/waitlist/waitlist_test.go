package waitlist

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/boxoffice/internal/storage/memstore"
)

func TestJoinKeepsOrder(t *testing.T) {
	ctx := context.Background()
	svc := New(memstore.New(), 20*time.Minute)
	end := time.Now().Add(24 * time.Hour)
	for i, acct := range []string{"a", "b", "c", "b"} {
		pos, err := svc.Join(ctx, "ev1", acct, 2, end)
		if err != nil {
			t.Fatal(err)
		}
		want := []int{1, 2, 3, 2}[i]
		if pos != want {
			t.Errorf("join %s: position %d, want %d", acct, pos, want)
		}
	}
	if _, err := svc.Join(ctx, "ev1", "d", 1, time.Now().Add(-time.Minute)); !errors.Is(err, ErrClosed) {
		t.Fatalf("join after sales end: %v", err)
	}
}

func TestOffers(t *testing.T) {
	ctx := context.Background()
	svc := New(memstore.New(), 20*time.Minute)
	end := time.Now().Add(2 * time.Hour)
	var ids []string
	for _, seat := range []string{"A1", "A2", "A3"} {
		o, err := svc.Offer(ctx, "ev9", "acct", seat, end)
		if err != nil {
			t.Fatal(err)
		}
		if o.ExpiresAt.After(end) {
			t.Fatalf("offer outlives sales: %v", o.ExpiresAt)
		}
		ids = append(ids, o.ID)
	}
	open, err := svc.OpenOffers(ctx, "ev9")
	if err != nil {
		t.Fatal(err)
	}
	if len(open) != len(ids) {
		t.Fatalf("open offers = %v, want %d", open, len(ids))
	}
}
