package metering

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/tundra/internal/config"
	"example.com/tundra/internal/storage/memkv"
)

func TestRecordAccumulates(t *testing.T) {
	ctx := context.Background()
	st := memkv.New()
	r := &Recorder{Reads: st, Writes: st, Region: "eu"}
	at := time.Date(2025, 3, 1, 10, 5, 0, 0, time.UTC)
	for i := 0; i < 3; i++ {
		if err := r.Record(ctx, Event{KeyID: "k1", Units: 2, At: at}); err != nil {
			t.Fatal(err)
		}
	}
	raw, err := st.Get(ctx, UsageKey("k1", at))
	if err != nil || string(raw) != "6" {
		t.Fatalf("total = %q, %v", raw, err)
	}
}

func TestQuota(t *testing.T) {
	ctx := context.Background()
	st := memkv.New()
	q := &QuotaGuard{
		Store: st,
		Plans: func(string) config.Plan { return config.Plan{Name: "free", MonthlyQuota: 10} },
		Now:   time.Now,
	}
	left, err := q.Consume(ctx, "t1", "free", 7)
	if err != nil || left != 3 {
		t.Fatalf("left=%d err=%v", left, err)
	}
	if _, err := q.Consume(ctx, "t1", "free", 7); !errors.Is(err, ErrQuotaExceeded) {
		t.Fatalf("err = %v", err)
	}
}
