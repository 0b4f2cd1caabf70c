package shadow

import (
	"context"
	"testing"

	"example.com/fleet/internal/cfkvutil"
	"example.com/fleet/internal/kvstore/memkv"
)

func TestSetDesiredMerges(t *testing.T) {
	s := NewService(memkv.New(), cfkvutil.Target{}, 0)
	ctx := context.Background()
	if _, err := s.SetDesired(ctx, "d1", map[string]any{"led": "on", "rate": 5}); err != nil {
		t.Fatal(err)
	}
	doc, err := s.SetDesired(ctx, "d1", map[string]any{"led": nil})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := doc.State["led"]; ok || doc.Version != 2 {
		t.Fatalf("unexpected doc %+v", doc)
	}
}
