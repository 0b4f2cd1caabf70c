package submissions

import (
	"context"
	"errors"
	"testing"

	"example.com/lattice/internal/conf"
	"example.com/lattice/internal/platform/memkv"
)

func TestSlugify(t *testing.T) {
	cases := map[string]string{
		"Fast, Correct Type Inference!": "fast-correct-type-inference",
		"  KV: the small print  ":       "kv-the-small-print",
	}
	for in, want := range cases {
		if got := Slugify(in); got != want {
			t.Errorf("Slugify(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestClaimSlugRefusesSecondPaperAgainstFake(t *testing.T) {
	ctx := context.Background()
	s := NewService(memkv.New())
	if _, err := s.ClaimSlug(ctx, "ICSE26-2026-1", "Typed Holes"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ClaimSlug(ctx, "ICSE26-2026-2", "Typed holes"); !errors.Is(err, ErrSlugTaken) {
		t.Fatalf("got %v, want ErrSlugTaken", err)
	}
}

func TestListByConferenceReturnsCursor(t *testing.T) {
	ctx := context.Background()
	s := NewService(memkv.New())
	for range 150 {
		if _, err := s.Submit(ctx, "ICSE26", Submission{Title: "t"}); err != nil {
			t.Fatal(err)
		}
	}
	page, err := s.ListByConference(ctx, conf.ConferenceID("ICSE26"), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(page.IDs) == 0 || len(page.IDs) > 100 {
		t.Fatalf("page size %d", len(page.IDs))
	}
	sample, err := s.Sample(ctx, 1)
	if err != nil || len(sample) == 0 {
		t.Fatalf("sample: %v (%d ids)", err, len(sample))
	}
}
