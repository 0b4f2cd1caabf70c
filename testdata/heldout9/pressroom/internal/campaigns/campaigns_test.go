package campaigns

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"example.com/pressroom/internal/config"
	"example.com/pressroom/internal/store/memstore"
)

type fixedAudience []string

func (a fixedAudience) Recipients(context.Context, string) ([]string, error) { return a, nil }

type recordingMailer struct {
	mu      sync.Mutex
	batches int
}

func (m *recordingMailer) Send(context.Context, Campaign, []string) error {
	m.mu.Lock()
	m.batches++
	m.mu.Unlock()
	return nil
}

func TestScheduleAndRun(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	mail := &recordingMailer{}
	cfg := config.Default().Sender
	cfg.BatchSize = 2
	s := NewScheduler(st, fixedAudience{"a@x", "b@x", "c@x"}, mail, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))

	sendAt := time.Now().Add(2 * time.Hour)
	if err := s.Schedule(ctx, Campaign{ID: "c1", Tenant: "acme", Subject: "Q3", SendAt: sendAt}); err != nil {
		t.Fatal(err)
	}
	if err := s.Schedule(ctx, Campaign{ID: "old", SendAt: time.Now().Add(-time.Minute)}); !errors.Is(err, ErrInPast) {
		t.Fatalf("past schedule: %v", err)
	}
	if err := s.RunDue(ctx, time.Now()); err != nil || mail.batches != 0 {
		t.Fatalf("early run: %v, %d batches", err, mail.batches)
	}
	if err := s.RunDue(ctx, sendAt.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if mail.batches != 2 {
		t.Fatalf("batches = %d", mail.batches)
	}
	if v, ok, _ := st.Get(ctx, "sent:c1"); !ok || v != "3" {
		t.Fatalf("sent marker = %q %v", v, ok)
	}
	if err := s.RunDue(ctx, sendAt.Add(2*time.Minute)); err != nil || mail.batches != 2 {
		t.Fatalf("second run resent: %v %d", err, mail.batches)
	}
}

func TestQuota(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	s := NewScheduler(st, nil, nil, config.Default().Sender, slog.Default())
	s.now = func() time.Time { return time.Date(2025, 7, 3, 0, 0, 0, 0, time.UTC) }
	_ = st.Put(ctx, "quota:acme:202507", "49999")
	err := s.reserveQuota(ctx, &run{c: Campaign{Tenant: "acme"}, to: []string{"a", "b"}})
	if !errors.Is(err, ErrQuotaExceeded) {
		t.Fatalf("got %v", err)
	}
}
