package trending

import (
	"context"
	"testing"
	"time"

	"example.com/newsroom/internal/store/memstore"
)

type countingSource struct{ calls int }

func (c *countingSource) Top(_ context.Context, _ time.Time, n int) ([]Item, error) {
	c.calls++
	return []Item{{ArticleID: "a1", Score: 10}}, nil
}

func TestGetReadsThrough(t *testing.T) {
	ctx := context.Background()
	src := &countingSource{}
	r := New(memstore.New(), src, Size(5), CacheTTL(time.Minute))
	for range 3 {
		items, err := r.Get(ctx)
		if err != nil || len(items) != 1 {
			t.Fatalf("Get = %v, %v", items, err)
		}
	}
	if src.calls != 1 {
		t.Fatalf("source called %d times", src.calls)
	}
}
