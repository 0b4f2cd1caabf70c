package projection

import (
	"context"
	"testing"
	"time"

	"example.com/quarry/internal/storage/memstore"
)

func TestRecordAndRebuild(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	p := New(st, "events/%s/", "proj/%[1]s/%[2]s", 5)
	tick := time.Unix(1_700_000_000, 0)
	p.now = func() time.Time { tick = tick.Add(time.Second); return tick }
	for _, s := range []string{"queued", "running", "done"} {
		if _, err := p.Record(ctx, "run-1", s, ""); err != nil {
			t.Fatal(err)
		}
	}
	sum, err := p.Summary(ctx, "run-1")
	if err != nil || sum.Status != "done" || len(sum.History) != 3 {
		t.Fatalf("summary %+v %v", sum, err)
	}
	rebuilt, err := p.Rebuild(ctx, "run-1")
	if err != nil {
		t.Fatal(err)
	}
	if rebuilt.Version != sum.Version || len(rebuilt.History) != 3 {
		t.Fatalf("rebuilt %+v", rebuilt)
	}
}
