package jobs

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"example.com/academy/internal/kvstore/memkv"
	"example.com/academy/internal/progress"
)

func TestConsumerLessonEvents(t *testing.T) {
	s := memkv.New()
	events := make(chan Event, 2)
	c := NewConsumer(events, s, progress.NewTracker(s), nil, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	events <- LessonCompleted{Learner: "ada", Course: "go-101", Lesson: "l1"}
	events <- LessonCompleted{Learner: "bob", Course: "go-101", Lesson: "l1"}
	close(events)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := c.Run(ctx); err != nil {
		t.Fatal(err)
	}
	raw, err := s.Get(ctx, "stats:go-101:completion-count")
	if err != nil || string(raw) != "2" {
		t.Fatalf("completions = %q, %v", raw, err)
	}
}
