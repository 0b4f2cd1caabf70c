package apikey

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/authgw/internal/kvfake"
)

type sinkFunc func(ctx context.Context, keyID, month string, n int64) error

func (f sinkFunc) Add(ctx context.Context, keyID, month string, n int64) error {
	return f(ctx, keyID, month, n)
}

func TestCreateVerifyRevoke(t *testing.T) {
	ctx := context.Background()
	s := NewStore(kvfake.New())
	secret, k, err := s.Create(ctx, "acme", "CI", []string{"read"}, Limits{PerMinute: 10})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Create(ctx, "acme", "ci", nil, Limits{}); !errors.Is(err, ErrLabelTaken) {
		t.Fatalf("want label taken, got %v", err)
	}
	got, err := s.Verify(ctx, secret)
	if err != nil || got.ID != k.ID {
		t.Fatalf("verify: %v", err)
	}
	if err := s.Revoke(ctx, "acme", k.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Verify(ctx, secret); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("revoked key verifies: %v", err)
	}
}

func TestLimiterWindow(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 1, 1, 0, 0, 10, 0, time.UTC)
	l := NewLimiter(kvfake.New())
	l.now = func() time.Time { return now }
	for i := 0; i < 3; i++ {
		if ok, _ := l.Allow(ctx, "k", 3); !ok {
			t.Fatalf("request %d refused", i)
		}
	}
	if ok, _ := l.Allow(ctx, "k", 3); ok {
		t.Fatal("4th request allowed")
	}
	now = now.Add(time.Minute)
	if ok, _ := l.Allow(ctx, "k", 3); !ok {
		t.Fatal("new window refused")
	}
}

func TestQuotaAndSink(t *testing.T) {
	ctx := context.Background()
	var billed int64
	q := NewQuota(kvfake.New(), sinkFunc(func(_ context.Context, _, _ string, n int64) error { billed += n; return nil }))
	k := &Key{ID: "k1", MonthlyQuota: 2}
	for i := 0; i < 2; i++ {
		if err := q.Charge(ctx, k); err != nil {
			t.Fatal(err)
		}
	}
	if err := q.Charge(ctx, k); !errors.Is(err, ErrQuotaExceeded) {
		t.Fatalf("want quota exceeded, got %v", err)
	}
	if billed != 2 {
		t.Fatalf("billed %d", billed)
	}
}

func TestExportAll(t *testing.T) {
	ctx := context.Background()
	s := NewStore(kvfake.New())
	for _, l := range []string{"a", "b", "c"} {
		if _, _, err := s.Create(ctx, "acme", l, nil, Limits{}); err != nil {
			t.Fatal(err)
		}
	}
	out, err := s.ExportAll(ctx)
	if err != nil || len(out) != 3 {
		t.Fatalf("export: %d %v", len(out), err)
	}
	p, err := s.ListPage(ctx, "acme", "", 2)
	if err != nil || len(p.IDs) != 2 || p.Cursor == "" {
		t.Fatalf("page: %+v %v", p, err)
	}
}
