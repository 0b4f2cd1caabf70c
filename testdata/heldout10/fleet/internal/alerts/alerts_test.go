package alerts

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"example.com/fleet/internal/codec"
	"example.com/fleet/internal/keys"
	"example.com/fleet/internal/kvstore/memkv"
)

type staticSource map[string]float64

func (s staticSource) Latest(context.Context, string) (map[string]float64, error) { return s, nil }

type recNotifier struct{ calls int }

func (n *recNotifier) Notify(context.Context, Rule, []string) error { n.calls++; return nil }

func TestEvaluateAndAck(t *testing.T) {
	store := memkv.New()
	n := &recNotifier{}
	e := NewEngine(store, staticSource{"d1": 90, "d2": 20}, n, 2, 5, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx := context.Background()
	for _, r := range []Rule{{ID: "hot", Metric: "temp", Above: true, Threshold: 80}, {ID: "cold", Metric: "temp", Threshold: 0}, {ID: "x", Metric: "temp", Above: true, Threshold: 10}} {
		if err := e.SaveRule(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.Evaluate(ctx); err != nil {
		t.Fatal(err)
	}
	if n.calls != 2 {
		t.Fatalf("notifications = %d", n.calls)
	}
	if err := e.Ack(ctx, "hot", "alice"); err != nil {
		t.Fatal(err)
	}
	st, _, _ := codec.GetJSON[State](ctx, store, keys.AlertState+"hot")
	if len(st.AckedBy) != 1 {
		t.Fatalf("acked = %v", st.AckedBy)
	}
}
