package ratelimit_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/meadow/internal/config"
	"example.com/meadow/internal/ratelimit"
	"example.com/meadow/internal/storage/memstore"
)

func TestLimiterWindow(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1_700_000_000, 0)
	clock := func() time.Time { return now }
	l := &ratelimit.Limiter{
		Store:  memstore.New().WithClock(clock),
		Window: time.Minute,
		Plans:  map[config.Plan]config.Quota{config.PlanFree: {RequestsPerMinute: 3}},
		Clock:  clock,
	}
	for i := 0; i < 3; i++ {
		if ok, err := l.Allow(ctx, config.PlanFree, "203.0.113.9"); err != nil || !ok {
			t.Fatalf("request %d refused: %v", i, err)
		}
	}
	if ok, _ := l.Allow(ctx, config.PlanFree, "203.0.113.9"); ok {
		t.Fatal("fourth request allowed")
	}
	now = now.Add(time.Minute)
	if ok, _ := l.Allow(ctx, config.PlanFree, "203.0.113.9"); !ok {
		t.Fatal("new window refused")
	}
}

func TestQuota(t *testing.T) {
	ctx := context.Background()
	q := &ratelimit.Quotas{
		Store: memstore.New(),
		Plans: map[config.Plan]config.Quota{config.PlanTeam: {MonthlyGrades: 10}},
		Clock: time.Now,
	}
	if err := q.ConsumeGrades(ctx, "acme", config.PlanTeam, 8); err != nil {
		t.Fatal(err)
	}
	if err := q.ConsumeGrades(ctx, "acme", config.PlanTeam, 3); !errors.Is(err, ratelimit.ErrQuotaExceeded) {
		t.Fatalf("over-quota accepted: %v", err)
	}
	if err := q.ConsumeGrades(ctx, "globex", config.PlanTeam, 3); err != nil {
		t.Fatalf("other tenant charged: %v", err)
	}
}
