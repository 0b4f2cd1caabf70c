package builds

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"example.com/quarry/internal/kvstore/memkv"
)

func newTestService() *Service {
	return NewService(memkv.New(), 30*24*time.Hour, 24*time.Hour, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

func TestEnqueueNumbersBuilds(t *testing.T) {
	ctx := context.Background()
	s := newTestService()
	for want := int64(1); want <= 3; want++ {
		job, err := s.Enqueue(ctx, "api", "main", nil)
		if err != nil {
			t.Fatal(err)
		}
		if job.Number != want {
			t.Fatalf("build number = %d, want %d", job.Number, want)
		}
	}
}

func TestTransitions(t *testing.T) {
	ctx := context.Background()
	s := newTestService()
	job, err := s.Enqueue(ctx, "api", "main", []Step{{Name: "test", Command: "go test ./..."}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Transition(ctx, job.ID, Succeeded, ""); err == nil {
		t.Fatal("queued -> succeeded should be refused")
	} else {
		var te *TransitionError
		if !errors.As(err, &te) || te.From != Queued {
			t.Fatalf("unexpected error %v", err)
		}
	}
	got, err := s.Transition(ctx, job.ID, Running, "runner-7")
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != Running || got.Runner != "runner-7" || got.StartedAt.IsZero() {
		t.Fatalf("unexpected job %+v", got)
	}
}

func TestUnknownJob(t *testing.T) {
	if _, err := newTestService().Get(context.Background(), "nope"); !errors.Is(err, ErrUnknownJob) {
		t.Fatalf("err = %v", err)
	}
}
