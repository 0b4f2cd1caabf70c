package quota

import (
	"context"
	"testing"
	"time"

	"example.com/quarry/internal/config"
	"example.com/quarry/internal/storage/memstore"
)

func TestBucket(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1_700_000_000, 0)
	st := memstore.New()
	st.SetClock(func() time.Time { return now })
	l := New(st, "quota/%s/bucket", config.Quota{Window: config.D(time.Minute), Burst: 3, RatePerSecond: 1})
	l.now = func() time.Time { return now }
	for i := 0; i < 3; i++ {
		d, err := l.Allow(ctx, "acme", 1)
		if err != nil || !d.Allowed {
			t.Fatalf("call %d: %+v %v", i, d, err)
		}
	}
	d, err := l.Allow(ctx, "acme", 1)
	if err != nil || d.Allowed || d.RetryAfter != time.Second {
		t.Fatalf("want throttled, got %+v %v", d, err)
	}
	now = now.Add(2 * time.Second)
	if d, _ := l.Allow(ctx, "acme", 2); !d.Allowed || d.Remaining != 0 {
		t.Fatalf("after refill: %+v", d)
	}
}
