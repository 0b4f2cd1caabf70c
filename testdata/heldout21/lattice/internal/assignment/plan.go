// Package assignment assigns reviewers to papers. The decision logic is a
// pure function that returns the writes to make; Executor applies them.
package assignment

import (
	"cmp"
	"encoding/json"
	"slices"
	"strconv"
	"time"

	"example.com/lattice/internal/conf"
)

// Candidate is a reviewer who could take a paper.
type Candidate struct {
	Reviewer  conf.ReviewerID `json:"reviewer"`
	Expertise int             `json:"expertise"` // 0..3 from bids
	Conflict  bool            `json:"conflict"`
	Tracks    []conf.TrackID  `json:"tracks"`
}

// Policy tunes the assignment.
type Policy struct {
	PerPaper     int
	MaxLoad      int
	MinExpertise int
}

// DefaultPolicy is what most conferences use.
var DefaultPolicy = Policy{PerPaper: 3, MaxLoad: 12, MinExpertise: 1}

// Write is one storage effect decided by Plan.
type Write struct {
	Key    string
	Value  []byte
	TTL    time.Duration
	Delete bool
}

// Outcome is what Plan decided.
type Outcome struct {
	Paper    conf.PaperID
	Assigned []conf.ReviewerID
	Short    int
}

func loadKey(r conf.ReviewerID) string { return "load:" + string(r) }

func assignmentKey(p conf.PaperID) string { return "assignment:" + string(p) }

func holdKey(p conf.PaperID, r conf.ReviewerID) string {
	return "hold:" + string(p) + ":" + string(r)
}

// Plan chooses reviewers for paper from candidates given their current loads.
// It does no I/O.
func Plan(paper conf.PaperID, track conf.TrackID, candidates []Candidate, loads map[conf.ReviewerID]int, p Policy) (Outcome, []Write) {
	eligible := slices.DeleteFunc(slices.Clone(candidates), func(c Candidate) bool {
		switch {
		case c.Conflict:
			return true
		case c.Expertise < p.MinExpertise:
			return true
		case loads[c.Reviewer] >= p.MaxLoad:
			return true
		case len(c.Tracks) > 0 && !slices.Contains(c.Tracks, track):
			return true
		}
		return false
	})
	slices.SortStableFunc(eligible, func(a, b Candidate) int {
		return cmp.Or(
			cmp.Compare(b.Expertise, a.Expertise),
			cmp.Compare(loads[a.Reviewer], loads[b.Reviewer]),
			cmp.Compare(a.Reviewer, b.Reviewer),
		)
	})
	out := Outcome{Paper: paper}
	var writes []Write
	for _, c := range eligible[:min(p.PerPaper, len(eligible))] {
		out.Assigned = append(out.Assigned, c.Reviewer)
		writes = append(writes,
			Write{Key: loadKey(c.Reviewer), Value: []byte(strconv.Itoa(loads[c.Reviewer] + 1))},
			Write{
				Key:   holdKey(paper, c.Reviewer),
				Value: []byte("pending-acceptance"),
				TTL:   45 * time.Second, // EXPECT kvttl
			},
		)
	}
	out.Short = p.PerPaper - len(out.Assigned)
	body, _ := json.Marshal(out.Assigned)
	writes = append(writes, Write{Key: assignmentKey(paper), Value: body})
	return out, writes
}

// Release decides the writes that undo one reviewer's assignment.
func Release(paper conf.PaperID, r conf.ReviewerID, remaining []conf.ReviewerID) []Write {
	body, _ := json.Marshal(slices.DeleteFunc(slices.Clone(remaining), func(x conf.ReviewerID) bool { return x == r }))
	return []Write{
		{Key: holdKey(paper, r), Delete: true},
		{Key: assignmentKey(paper), Value: body},
	}
}
