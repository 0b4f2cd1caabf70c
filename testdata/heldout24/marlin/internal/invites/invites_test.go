package invites

import (
	"context"
	"testing"
	"time"

	"example.com/marlin/internal/clock"
	"example.com/marlin/internal/kv"
	"example.com/marlin/internal/kv/memkv"
)

// recordingDeletes embeds the store and remembers deleted keys.
type recordingDeletes struct {
	kv.Store
	deleted []string
}

func (r *recordingDeletes) Delete(ctx context.Context, key string) error {
	r.deleted = append(r.deleted, key)
	return r.Store.Delete(ctx, key)
}

func TestRedeemConsumesCode(t *testing.T) {
	now := time.Date(2025, 5, 1, 9, 0, 0, 0, time.UTC)
	c := clock.Func(func() time.Time { return now })
	store := &recordingDeletes{Store: memkv.New(c)}
	svc := New(store, c)
	ctx := context.Background()

	inv, err := svc.Create(ctx, "show1", "guest@example.com", RoleGuest)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Redeem(ctx, inv.Code, "Guest@Example.com"); err != nil {
		t.Fatal(err)
	}
	if len(store.deleted) != 1 {
		t.Fatalf("deleted %v", store.deleted)
	}
	guests, err := svc.Guests(ctx, "show1")
	if err != nil || len(guests) != 1 {
		t.Fatalf("guests %v %v", guests, err)
	}
}
