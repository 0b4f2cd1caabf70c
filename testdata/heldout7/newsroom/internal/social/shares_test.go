package social

import (
	"context"
	"testing"

	"example.com/newsroom/internal/store/memstore"
)

func TestRecordAndBreakdown(t *testing.T) {
	ctx := context.Background()
	s := NewShares(memstore.New())
	for range 3 {
		if err := s.Record(ctx, "a1", "bluesky"); err != nil {
			t.Fatal(err)
		}
	}
	_ = s.Record(ctx, "a1", "email")
	got, err := s.Breakdown(ctx, "a1")
	if err != nil || got["bluesky"] != 3 || got["email"] != 1 || len(got) != 2 {
		t.Fatalf("Breakdown = %v, %v", got, err)
	}
}
