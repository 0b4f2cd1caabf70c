package flags

import (
	"context"
	"testing"
	"time"

	"example.com/authgw/internal/cache"
	"example.com/authgw/internal/kvfake"
)

func TestEvaluateWithOverrides(t *testing.T) {
	ctx := context.Background()
	kv := kvfake.New()
	fetches := 0
	svc := NewService(kv, cache.New[Set](kvfake.New(), cache.WithTTL(time.Minute)), func(context.Context, string) (Set, error) {
		fetches++
		return Set{"new-ui": false, "beta-api": true}, nil
	})
	if err := svc.SetOverride(ctx, "acme", "new-ui", true, "ops"); err != nil {
		t.Fatal(err)
	}
	got, err := svc.Evaluate(ctx, "acme")
	if err != nil || !got["new-ui"] || !got["beta-api"] {
		t.Fatalf("got %v %v", got, err)
	}
	if err := svc.ClearOverride(ctx, "acme", "new-ui"); err != nil {
		t.Fatal(err)
	}
	got, _ = svc.Evaluate(ctx, "acme")
	if got["new-ui"] || fetches != 1 {
		t.Fatalf("got %v after clear, fetches=%d", got, fetches)
	}
	if err := svc.RecordExposures(ctx, "acme", []string{"beta-api", "new-ui"}); err != nil {
		t.Fatal(err)
	}
}
