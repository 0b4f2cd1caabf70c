package audit

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"example.com/gateway/internal/reqctx"
	"example.com/gateway/internal/store/memstore"
)

func TestTrailAppendsToDay(t *testing.T) {
	st := memstore.New()
	tr := New(st, 8, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- tr.Run(ctx) }()
	opCtx := reqctx.WithOperator(context.Background(), "ada")
	tr.Record(opCtx, "route.add", "r1")
	tr.Record(opCtx, "route.add", "r2")
	deadline := time.Now().Add(2 * time.Second)
	for {
		evs, err := tr.Day(context.Background(), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) == 2 {
			if evs[0].Operator != "ada" {
				t.Fatalf("operator = %q", evs[0].Operator)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("got %d events", len(evs))
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
}
