package telemetry

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"example.com/fleet/internal/kvstore/memkv"
)

func TestPipelineFlushesRollups(t *testing.T) {
	store := memkv.New()
	r := NewRollups(store, func(context.Context, string) (FleetSummary, error) { return FleetSummary{Devices: 3}, nil })
	in := make(chan Event, 8)
	p := NewPipeline(r, store, in, slog.New(slog.NewTextHandler(io.Discard, nil)))
	at := time.Date(2025, 3, 1, 10, 15, 0, 0, time.UTC)
	in <- Reading{Device: "d1", Metric: "rssi", Value: -60, At: at}
	in <- Reading{Device: "d1", Metric: "rssi", Value: -70, At: at.Add(time.Second)}
	done := make(chan error, 1)
	in <- Flush{Done: done}
	close(in)
	if err := p.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	roll, found, err := r.Rollup(context.Background(), Hourly, "d1", "rssi", at)
	if err != nil || !found || roll.Count != 2 || roll.Min != -70 {
		t.Fatalf("rollup = %+v found=%v err=%v", roll, found, err)
	}
	s, err := r.Summary(context.Background())
	if err != nil || s.Devices != 3 {
		t.Fatalf("summary = %+v %v", s, err)
	}
}
