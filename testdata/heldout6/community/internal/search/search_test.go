package search

import (
	"context"
	"testing"
	"time"

	"example.com/community/internal/store/memstore"
)

type titles struct{ calls int }

func (s *titles) TitlesWithPrefix(_ context.Context, prefix string, _ int) ([]string, error) {
	s.calls++
	return []string{prefix + " one", prefix + " two"}, nil
}

func TestSuggestIsReadThrough(t *testing.T) {
	ctx := context.Background()
	kv := memstore.New()
	src := &titles{}
	s := NewSuggester(kv, src, WithFreshFor(5*time.Minute))
	for range 3 {
		got, err := s.Suggest(ctx, "  Go  Generics ")
		if err != nil || len(got) != 2 {
			t.Fatalf("suggest = %v %v", got, err)
		}
	}
	if src.calls != 1 {
		t.Fatalf("source called %d times", src.calls)
	}
	if err := s.Invalidate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, _ = s.Suggest(ctx, "go generics"); src.calls != 2 {
		t.Fatalf("cache not invalidated")
	}
}

func TestRecent(t *testing.T) {
	ctx := context.Background()
	kv := memstore.New()
	s := NewSuggester(kv, &titles{})
	for _, q := range []string{"a", "b", "c"} {
		if err := s.Record(ctx, "u1", q); err != nil {
			t.Fatal(err)
		}
	}
	got, err := kv.Get(ctx, RecentPrefix+"u1")
	if err != nil || string(got) != "a\nb\nc" {
		t.Fatalf("recent = %q %v", got, err)
	}
}
