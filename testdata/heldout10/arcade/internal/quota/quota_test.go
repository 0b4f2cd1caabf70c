package quota

import (
	"context"
	"errors"
	"testing"

	"example.com/arcade/internal/store/memstore"
)

func TestTakeStopsAtLimit(t *testing.T) {
	q := NewDaily(memstore.New(), "lobbies", 2)
	ctx := context.Background()
	if _, err := q.Take(ctx, "p1"); err != nil {
		t.Fatal(err)
	}
	if _, err := q.Take(ctx, "p1"); err != nil {
		t.Fatal(err)
	}
	if _, err := q.Take(ctx, "p1"); !errors.Is(err, ErrExhausted) {
		t.Fatalf("third take: %v", err)
	}
	if left, err := q.Take(ctx, "p2"); err != nil || left != 1 {
		t.Fatalf("p2: %d %v", left, err)
	}
}
