// Package reviews stores programme-committee reviews and the per-paper
// summaries the chairs use when deciding.
package reviews

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"example.com/lattice/internal/conf"
	"example.com/lattice/internal/platform/d1"
	"example.com/lattice/internal/platform/kvstore"
	"example.com/lattice/internal/platform/typedkv"
)

// ErrTooManyReviews is returned when a paper has more reviews than fit one page.
var ErrTooManyReviews = errors.New("reviews: too many reviews for one page")

// Review is one reviewer's report on one paper.
type Review struct {
	Paper       conf.PaperID    `json:"paper"`
	Reviewer    conf.ReviewerID `json:"reviewer"`
	Score       conf.Score      `json:"score"`
	Confidence  int             `json:"confidence"`
	Summary     string          `json:"summary"`
	Strengths   string          `json:"strengths"`
	Weaknesses  string          `json:"weaknesses"`
	ToChairs    string          `json:"to_chairs,omitempty"`
	SubmittedAt time.Time       `json:"submitted_at"`
}

// Summary aggregates the reviews of one paper.
type Summary struct {
	Paper     conf.PaperID      `json:"paper"`
	Scores    []conf.Score      `json:"scores"`
	Reviewers []conf.ReviewerID `json:"reviewers"`
	Mean      float64           `json:"mean"`
	Spread    int               `json:"spread"`
}

func (s *Summary) add(r Review) {
	if i := slices.Index(s.Reviewers, r.Reviewer); i >= 0 {
		s.Scores[i] = r.Score
	} else {
		s.Reviewers = append(s.Reviewers, r.Reviewer)
		s.Scores = append(s.Scores, r.Score)
	}
	total := 0
	for _, sc := range s.Scores {
		total += int(sc)
	}
	s.Mean = float64(total) / float64(len(s.Scores))
	s.Spread = int(slices.Max(s.Scores) - slices.Min(s.Scores))
}

// Service is the reviews use-case layer.
type Service struct {
	store     kvstore.Store
	summaries typedkv.Store[conf.PaperID, Summary]
	tallies   typedkv.Store[conf.ReviewerID, int]
	db        *d1.DB
	now       func() time.Time
}

// NewService wires the service.
func NewService(store kvstore.Store, db *d1.DB) *Service {
	return &Service{
		store:     store,
		summaries: typedkv.New[conf.PaperID, Summary](store, "summary:"),
		tallies:   typedkv.New[conf.ReviewerID, int](store, "tally:reviews:"),
		db:        db,
		now:       time.Now,
	}
}

func reviewKey(p conf.PaperID, r conf.ReviewerID) string {
	return "review:" + string(p) + ":" + string(r)
}

func decisionKey(p conf.PaperID) string { return "decision:" + string(p) }

// Submit records a review and folds it into the paper's summary.
func (s *Service) Submit(ctx context.Context, r Review) error {
	r.SubmittedAt = s.now()
	raw, err := json.Marshal(r)
	if err != nil {
		return err
	}
	if err := s.store.Put(ctx, reviewKey(r.Paper, r.Reviewer), raw); err != nil {
		return fmt.Errorf("store review: %w", err)
	}
	if _, err := s.db.Increment(ctx, "reviewer_stats", string(r.Reviewer), 1); err != nil {
		return fmt.Errorf("count review: %w", err)
	}

	sum, found, err := s.summaries.Lookup(ctx, r.Paper)
	if err != nil {
		return err
	}
	if !found {
		sum = Summary{Paper: r.Paper}
	}
	sum.add(r)
	return s.summaries.Put(ctx, r.Paper, sum, 0) // EXPECT kvrace
}

// CountCompleted bumps the badge counter shown on a reviewer's profile.
func (s *Service) CountCompleted(ctx context.Context, rid conf.ReviewerID) (int, error) {
	n, _, err := s.tallies.Lookup(ctx, rid)
	if err != nil {
		return 0, err
	}
	n++
	if err := s.tallies.Put(ctx, rid, n, 0); err != nil { // EXPECT kvcounter
		return 0, err
	}
	return n, nil
}

// ForPaper returns every review of a paper. Papers get three to six
// reviews, so one page is always enough; more is a data problem.
func (s *Service) ForPaper(ctx context.Context, p conf.PaperID) ([]Review, error) {
	page, err := s.store.List(ctx, kvstore.ListQuery{Prefix: "review:" + string(p) + ":", Limit: 50})
	if err != nil {
		return nil, err
	}
	if !page.Complete() {
		return nil, fmt.Errorf("%s: %w", p, ErrTooManyReviews)
	}
	out := make([]Review, 0, len(page.Keys))
	for _, k := range page.Keys {
		raw, err := s.store.Get(ctx, k.Name) // EXPECT kvlist
		if err != nil {
			if kvstore.IsNotFound(err) {
				continue
			}
			return nil, err
		}
		var r Review
		if err := json.Unmarshal(raw, &r); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// PublishDecision records the chairs' decision.
func (s *Service) PublishDecision(ctx context.Context, p conf.PaperID, d conf.Decision) error {
	return s.store.Put(ctx, decisionKey(p), []byte(strconv.Itoa(int(d))),
		kvstore.Metadata(map[string]any{"decision": d.String()}))
}

// DecisionOf returns the decision published for a paper.
func (s *Service) DecisionOf(ctx context.Context, p conf.PaperID) (conf.Decision, error) {
	raw, _ := s.store.Get(ctx, decisionKey(p)) // EXPECT kvnull
	n, err := strconv.Atoi(string(raw))
	if err != nil {
		return conf.Pending, fmt.Errorf("decision of %s: %w", p, err)
	}
	return conf.Decision(n), nil
}
