package venues

import (
	"context"
	"errors"
	"testing"

	"example.com/juniper/internal/kvstore"
)

func TestUpgradeAndOptimisticUpdate(t *testing.T) {
	mem := kvstore.NewMemory()
	r := NewRepo(mem, nilNamespace())
	ctx := context.Background()
	_ = mem.Put(ctx, settingsKey("v1"), []byte(`{"schema":1,"rev":3,"data":{"VenueID":"v1","Name":"Fern","TurnMinutes":75}}`))

	s, err := r.Settings(ctx, "v1")
	if err != nil {
		t.Fatal(err)
	}
	if s.Turn.DefaultMinutes != 75 || s.Turn.LargePartyMinutes != 105 || s.Revision != 3 {
		t.Fatalf("upgraded = %+v", s)
	}
	if _, err := r.Update(ctx, "v1", 2, func(s *Settings) { s.Name = "x" }); !errors.Is(err, ErrStale) {
		t.Fatalf("stale update: %v", err)
	}
	s, err = r.Update(ctx, "v1", 3, func(s *Settings) { s.Deposit.Required = true })
	if err != nil || s.Revision != 4 || !s.Deposit.Required {
		t.Fatalf("update = %+v %v", s, err)
	}
}

func TestPolicyFitsOnPage(t *testing.T) {
	if len(defaultCancellationPolicy) < 200 {
		t.Fatal("policy text unexpectedly short")
	}
}
