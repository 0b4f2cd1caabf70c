package digest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"example.com/community/internal/forum"
	"example.com/community/internal/store"
	"example.com/community/internal/store/memstore"
)

func TestRunBuildsDigest(t *testing.T) {
	ctx := context.Background()
	fkv, ckv := memstore.New(), memstore.New()
	now := time.Now()
	for i := range 5 {
		th := forum.Thread{ID: fmt.Sprint(i), Title: fmt.Sprint("t", i), CreatedAt: now.Add(-time.Duration(i) * 12 * time.Hour)}
		if err := store.PutJSON(ctx, fkv, forum.ThreadPrefix+th.ID, th); err != nil {
			t.Fatal(err)
		}
	}
	j := NewJob(fkv, ckv, Config{Window: 25 * time.Hour, SamplePages: 1}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := j.Run(ctx); err != nil {
		t.Fatal(err)
	}
	d, ok, err := store.GetJSON[Digest](ctx, ckv, LatestKey)
	if err != nil || !ok {
		t.Fatalf("digest missing: %v", err)
	}
	if d.Total != 5 || len(d.NewThreads) != 3 {
		t.Fatalf("digest = total %d, new %d", d.Total, len(d.NewThreads))
	}
	if n, exact, err := j.Stats(ctx); err != nil || n != 5 || !exact {
		t.Fatalf("stats = %d %v %v", n, exact, err)
	}
}
