package jobs

import (
	"context"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"example.com/billing/internal/storage/memstore"
)

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestLeaseHeldByOtherReplica(t *testing.T) {
	ctx := context.Background()
	store := memstore.New()
	a := NewScheduler(store, "host-a", quietLog())
	b := NewScheduler(store, "host-b", quietLog())
	j := Job{Name: "snapshots", Every: 5 * time.Minute}

	if ok, err := a.acquire(ctx, j); !ok || err != nil {
		t.Fatalf("host-a acquire = %v, %v", ok, err)
	}
	if ok, err := b.acquire(ctx, j); ok || err != nil {
		t.Fatalf("host-b acquire = %v, %v", ok, err)
	}
}

func TestPoolRunsAllTasks(t *testing.T) {
	var n atomic.Int32
	tasks := make(chan Task, 3)
	tasks <- func(context.Context) error { n.Add(1); return nil }
	tasks <- func(context.Context) error { n.Add(1); return nil }
	tasks <- func(context.Context) error { n.Add(1); return nil }
	close(tasks)
	if err := NewPool(memstore.New(), "test", 2, quietLog()).Run(context.Background(), tasks); err != nil {
		t.Fatal(err)
	}
	if n.Load() != 3 {
		t.Fatalf("ran %d tasks", n.Load())
	}
}
