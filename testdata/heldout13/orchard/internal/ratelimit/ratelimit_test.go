package ratelimit

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"example.com/orchard/internal/store/memstore"
)

func TestLimiter(t *testing.T) {
	ctx := context.Background()
	allow := Scoped(NewLimiter(memstore.New(), time.Hour, 3, slog.New(slog.NewTextHandler(io.Discard, nil))), "test")
	for i := range 3 {
		if ok, err := allow(ctx, "1.2.3.4"); !ok || err != nil {
			t.Fatalf("call %d refused: %v", i, err)
		}
	}
	if ok, _ := allow(ctx, "1.2.3.4"); ok {
		t.Fatal("fourth call allowed")
	}
	if ok, _ := allow(ctx, "5.6.7.8"); !ok {
		t.Fatal("other caller refused")
	}
}
