package rollout

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"example.com/fleet/internal/cfkvutil"
	"example.com/fleet/internal/kvstore/memkv"
)

func TestPublishAndStart(t *testing.T) {
	store := memkv.New()
	s := NewService(store, cfkvutil.Target{}, nil, 2, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx := context.Background()
	if err := s.Publish(ctx, Manifest{Version: "2.0.1", Channel: "beta"}); err != nil {
		t.Fatal(err)
	}
	if !store.Has("fw/beta/manifest") {
		t.Fatalf("manifest not stored: %v", store.Writes)
	}
	if err := s.Start(ctx, "r1"); err != nil {
		t.Fatal(err)
	}
	if !store.Has("ro:r1:wave") {
		t.Fatalf("wave marker missing: %v", store.Writes)
	}
}
