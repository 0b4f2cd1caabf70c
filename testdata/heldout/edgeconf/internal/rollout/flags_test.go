package rollout

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"example.com/edgeconf/internal/storage"
)

func newTestFlags(t *testing.T) (*Service, *ConfigCache, *storage.Memory) {
	t.Helper()
	mem := storage.NewMemory()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	var svc *Service
	cache := NewConfigCache(mem, func(ctx context.Context, id string) (*Snapshot, error) { return svc.Compile(ctx, id) },
		WithCacheLogger(quiet))
	svc = NewService(mem, WithSnapshotCache(cache), WithLogger(quiet))
	return svc, cache, mem
}

func TestCreateRejectsDuplicate(t *testing.T) {
	ctx := context.Background()
	svc, _, _ := newTestFlags(t)
	if err := svc.Create(ctx, "t1", Flag{Key: "new-checkout"}, "alice"); err != nil {
		t.Fatal(err)
	}
	if err := svc.Create(ctx, "t1", Flag{Key: "new-checkout"}, "bob"); !errors.Is(err, ErrFlagExists) {
		t.Fatalf("got %v, want ErrFlagExists", err)
	}
	if err := svc.Create(ctx, "t2", Flag{Key: "new-checkout"}, "bob"); err != nil {
		t.Fatalf("other tenant: %v", err)
	}
}

func TestSnapshotReflectsChanges(t *testing.T) {
	ctx := context.Background()
	svc, cache, _ := newTestFlags(t)
	_ = svc.Create(ctx, "t1", Flag{Key: "dark-mode", Enabled: true}, "alice")

	snap, err := cache.Get(ctx, "t1")
	if err != nil || snap.Flags["dark-mode"].Percent != 0 {
		t.Fatalf("initial snapshot: %+v %v", snap, err)
	}
	if _, err := svc.SetRollout(ctx, "t1", "dark-mode", 25, "alice"); err != nil {
		t.Fatal(err)
	}
	snap, _ = cache.Get(ctx, "t1")
	if got := snap.Flags["dark-mode"].Percent; got != 25 {
		t.Fatalf("percent = %d after invalidation", got)
	}
	if err := svc.Toggle(ctx, "t1", "dark-mode"); err != nil {
		t.Fatal(err)
	}
	snap, _ = cache.Get(ctx, "t1")
	if snap.Flags["dark-mode"].On {
		t.Fatal("toggle not reflected")
	}
}

func TestFreezeBlocksRollout(t *testing.T) {
	ctx := context.Background()
	svc, _, mem := newTestFlags(t)
	_ = svc.Create(ctx, "t1", Flag{Key: "search-v2"}, "alice")
	// Seed the freeze directly in the fake; the service path is covered elsewhere.
	if err := storage.PutJSON(ctx, mem, "freeze:t1", Freeze{Reason: "release train", Until: time.Now().Add(time.Hour)}, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetRollout(ctx, "t1", "search-v2", 50, "bob"); !errors.Is(err, ErrFrozen) {
		t.Fatalf("got %v, want ErrFrozen", err)
	}
}

func TestPublishBumpsVersion(t *testing.T) {
	ctx := context.Background()
	svc, _, _ := newTestFlags(t)
	for want := 1; want <= 3; want++ {
		got, err := svc.Publish(ctx, "t1")
		if err != nil || got != want {
			t.Fatalf("publish #%d = %d, %v", want, got, err)
		}
	}
}
