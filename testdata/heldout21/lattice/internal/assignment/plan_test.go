package assignment

import (
	"slices"
	"testing"

	"example.com/lattice/internal/conf"
)

func TestPlanSkipsConflictsAndFullReviewers(t *testing.T) {
	candidates := []Candidate{
		{Reviewer: "rv_alpha01", Expertise: 3},
		{Reviewer: "rv_bravo02", Expertise: 3, Conflict: true},
		{Reviewer: "rv_charlie3", Expertise: 2},
		{Reviewer: "rv_delta04", Expertise: 2},
		{Reviewer: "rv_echo005", Expertise: 0},
	}
	loads := map[conf.ReviewerID]int{"rv_delta04": 12}
	out, writes := Plan("ICSE26-2026-7", "research", candidates, loads, DefaultPolicy)
	want := []string{"rv_alpha01", "rv_charlie3"}
	var got []string
	for _, r := range out.Assigned {
		got = append(got, string(r))
	}
	if !slices.Equal(got, want) {
		t.Fatalf("assigned %v, want %v", got, want)
	}
	if out.Short != 1 {
		t.Fatalf("short %d, want 1", out.Short)
	}
	if n := len(writes); n != 2*len(want)+1 {
		t.Fatalf("got %d writes", n)
	}
}
