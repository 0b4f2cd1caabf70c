package crawler

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"example.com/feeds/internal/adapters/memkv"
)

type stubFetcher struct {
	mu    sync.Mutex
	calls map[string]int
	fail  map[string]error
}

func (s *stubFetcher) Fetch(_ context.Context, f Feed, _ string) (Result, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[f.ID]++
	if err := s.fail[f.ID]; err != nil {
		return Result{Status: 500}, err
	}
	return Result{Status: 200, ETag: `"v1"`, MaxAge: 5 * time.Minute, Items: []Item{{GUID: "1", Title: "x"}}}, nil
}

type countingSink struct {
	mu sync.Mutex
	n  int
}

func (c *countingSink) Ingest(_ context.Context, _ Feed, items []Item) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n += len(items)
	return len(items), nil
}

func TestRunOnceSchedulesAndBacksOff(t *testing.T) {
	ctx := context.Background()
	store := memkv.New()
	fetch := &stubFetcher{calls: map[string]int{}, fail: map[string]error{"bad": errors.New("boom")}}
	sink := &countingSink{}
	s := New(store, fetch, sink, WithWorkers(3), WithInterval(time.Minute), WithLeaseTTL(2*time.Minute))

	feeds := []Feed{{ID: "good"}, {ID: "bad"}, {ID: "also-good"}}
	if err := s.RunOnce(ctx, feeds); err == nil {
		t.Fatal("expected the failing feed to be reported")
	}
	if sink.n != 2 {
		t.Fatalf("ingested %d items, want 2", sink.n)
	}
	// A second run right away is a no-op: every feed is scheduled later.
	_ = s.RunOnce(ctx, feeds)
	if fetch.calls["good"] != 1 || fetch.calls["bad"] != 1 {
		t.Fatalf("calls = %v", fetch.calls)
	}
	st, _, _ := s.states.Get(ctx, "bad")
	if !st.NextFetch.After(time.Now()) {
		t.Fatalf("bad feed not backed off: %+v", st)
	}
}

func TestBackoff(t *testing.T) {
	if got := backoff(3, time.Minute); got != 4*time.Minute {
		t.Fatalf("backoff(3) = %v", got)
	}
	if got := backoff(40, time.Hour); got != 24*time.Hour {
		t.Fatalf("backoff cap = %v", got)
	}
}
