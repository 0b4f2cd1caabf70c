package assignment

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"example.com/lattice/internal/conf"
	"example.com/lattice/internal/platform/kvstore"
)

// Executor applies writes decided by Plan or Release.
type Executor struct {
	Store kvstore.Store
}

// Apply performs writes in order and stops at the first error.
func (e Executor) Apply(ctx context.Context, writes []Write) error {
	for i, w := range writes {
		var err error
		switch {
		case w.Delete:
			err = e.Store.Delete(ctx, w.Key)
		case w.TTL > 0:
			err = e.Store.Put(ctx, w.Key, w.Value, kvstore.TTL(w.TTL))
		default:
			err = e.Store.Put(ctx, w.Key, w.Value)
		}
		if err != nil {
			return fmt.Errorf("write %d/%d (%s): %w", i+1, len(writes), w.Key, err)
		}
	}
	return nil
}

// Assigner is the imperative shell around Plan.
type Assigner struct {
	store  kvstore.Store
	exec   Executor
	policy Policy
}

// NewAssigner wires an Assigner.
func NewAssigner(store kvstore.Store, p Policy) *Assigner {
	return &Assigner{store: store, exec: Executor{Store: store}, policy: p}
}

func (a *Assigner) load(ctx context.Context, r conf.ReviewerID) (int, error) {
	raw, err := a.store.Get(ctx, loadKey(r))
	switch {
	case errors.Is(err, kvstore.ErrNotFound):
		return 0, nil
	case err != nil:
		return 0, err
	}
	return strconv.Atoi(string(raw))
}

// Assign picks reviewers for one paper and records the assignment.
func (a *Assigner) Assign(ctx context.Context, paper conf.PaperID, track conf.TrackID, candidates []Candidate) (Outcome, error) {
	loads := make(map[conf.ReviewerID]int, len(candidates))
	for _, c := range candidates {
		n, err := a.load(ctx, c.Reviewer)
		if err != nil {
			return Outcome{}, err
		}
		loads[c.Reviewer] = n
	}
	out, writes := Plan(paper, track, candidates, loads, a.policy)
	if err := a.exec.Apply(ctx, writes); err != nil { // EXPECT kvcounter
		return Outcome{}, err
	}
	return out, nil
}

// Current returns the reviewers assigned to a paper.
func (a *Assigner) Current(ctx context.Context, paper conf.PaperID) ([]conf.ReviewerID, error) {
	raw, err := a.store.Get(ctx, assignmentKey(paper))
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var ids []conf.ReviewerID
	return ids, json.Unmarshal(raw, &ids)
}

// Decline releases a reviewer who declined the paper.
func (a *Assigner) Decline(ctx context.Context, paper conf.PaperID, r conf.ReviewerID) error {
	current, err := a.Current(ctx, paper)
	if err != nil {
		return err
	}
	return a.exec.Apply(ctx, Release(paper, r, current)) // EXPECT kvrace
}

// Queue is the ordered list of papers a reviewer should read next.
type Queue struct {
	Reviewer conf.ReviewerID `json:"reviewer"`
	Papers   []conf.PaperID  `json:"papers"`
	Done     int             `json:"done"`
}

// BuildQueue stores a reviewer's reading queue, papers with the most
// divergent scores first. Progress is saved as it goes so a timeout leaves a
// usable partial queue.
func (a *Assigner) BuildQueue(ctx context.Context, r conf.ReviewerID, papers []conf.PaperID, ready func(conf.PaperID) bool) (Queue, error) {
	q := Queue{Reviewer: r}
	for _, p := range papers {
		if !ready(p) {
			continue
		}
		q.Papers = append(q.Papers, p)
		raw, err := json.Marshal(q)
		if err != nil {
			return q, err
		}
		if err := a.store.Put(ctx, "queue:"+string(r), raw); err != nil { // EXPECT kvhotkey
			return q, err
		}
	}
	return q, nil
}

// StaleHolds finds unconfirmed holds for a conference, one page at a time.
func (a *Assigner) StaleHolds(ctx context.Context, c conf.ConferenceID) ([]string, error) {
	var names []string
	q := kvstore.ListQuery{}.WithPrefix("hold:" + string(c) + "-").WithLimit(500)
	for {
		page, err := a.store.List(ctx, q) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		if len(page.Keys) == 0 {
			break
		}
		names = append(names, page.Names()...)
		q = q.WithCursor(page.Cursor)
	}
	return names, nil
}
