package leaderboard

import (
	"context"
	"testing"

	"example.com/dunlin/internal/keys"
	"example.com/dunlin/internal/kvstore/memkv"
)

// fakeSource is an in-memory scores database.
type fakeSource struct {
	scores map[string]int64
	tops   int
}

func (f *fakeSource) Top(_ context.Context, _ string, offset, n int) ([]Entry, error) {
	f.tops++
	var out []Entry
	for p, s := range f.scores {
		out = append(out, Entry{Player: p, Score: s})
	}
	if offset >= len(out) {
		return nil, nil
	}
	return out[offset:min(len(out), offset+n)], nil
}

func (f *fakeSource) Record(_ context.Context, _, player string, score int64) error {
	f.scores[player] = max(f.scores[player], score)
	return nil
}

func TestTopIsCached(t *testing.T) {
	ctx := context.Background()
	src := &fakeSource{scores: map[string]int64{"a": 10, "b": 20}}
	b := New(src, keys.NewSpace("t:"))
	b.SetStore(memkv.New())
	for range 3 {
		if _, err := b.Top(ctx, "s1"); err != nil {
			t.Fatal(err)
		}
	}
	if src.tops != 1 {
		t.Fatalf("source queried %d times, want 1", src.tops)
	}
	if err := b.Submit(ctx, "s1", "c", 5); err != nil {
		t.Fatal(err)
	}
}
