package export_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"example.com/billing/internal/clock"
	"example.com/billing/internal/export"
	"example.com/billing/internal/kvstore/kvtest"
)

type memSink struct{ n int }

func (s *memSink) Write(context.Context, string, []byte) error { s.n++; return nil }
func (s *memSink) Close(context.Context) (string, error)       { return "mem://export", nil }

type noLock struct{}

func (noLock) TryLock(context.Context, string, string) (bool, error) { return true, nil }
func (noLock) Unlock(context.Context, string) error                  { return nil }

func TestExportWalksAllPages(t *testing.T) {
	ctx := context.Background()
	mem := kvtest.New()
	for i := range 25 {
		_ = mem.Put(ctx, fmt.Sprintf("usage:cus_%02d:2025-05:api_calls", i), []byte("1"))
	}
	sink := &memSink{}
	job := export.NewJob(mem, noLock{}, func(context.Context, string) (export.Sink, error) { return sink, nil },
		clock.NewManual(time.Now()), "test", export.WithPrefixes("usage:"), export.WithPageSize(10))
	run, err := job.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if run.Keys != 25 || sink.n != 25 {
		t.Fatalf("exported %d/%d keys", run.Keys, sink.n)
	}
	runs, _ := job.Runs(ctx)
	if len(runs) != 1 {
		t.Fatalf("manifest has %d runs", len(runs))
	}
}
