package jobs

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"example.com/orchard/internal/store/memstore"
)

func TestRunLocksAndReleases(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	r := NewRunner(st, "test", time.Second, slog.New(slog.NewTextHandler(io.Discard, nil)))
	runs := 0
	r.Register("tick", func(context.Context, *slog.Logger) error { runs++; return nil })

	_ = st.Put(ctx, lockKey("tick"), "other")
	if err := r.Run(ctx, "tick"); err != nil || runs != 0 {
		t.Fatalf("locked run: runs=%d err=%v", runs, err)
	}
	_ = st.Delete(ctx, lockKey("tick"))
	if err := r.Run(ctx, "tick"); err != nil || runs != 1 {
		t.Fatalf("runs=%d err=%v", runs, err)
	}
	if _, err := st.Get(ctx, lockKey("tick")); err == nil {
		t.Fatal("lock not released")
	}
	var unk *UnknownJobError
	if err := r.Run(ctx, "nope"); !errors.As(err, &unk) {
		t.Fatalf("err = %v", err)
	}
}
